package dev.sparkdit.models.flux;

import dev.sparkdit.backend.CpuBackend;
import dev.sparkdit.ops.Activation;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;
import dev.sparkdit.usp.ReplicaSplit;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The modulation table equals each linear applied on its own, whether one replica computes it all or
 * {@code n} replicas each compute a share (replicas run one after another here; the last one's
 * all-gather assembles every share).
 */
class ModulationTableTest {
    /** A double block's two linears, two single blocks' and norm_out's: V = 6 + 6 + 3 + 3 + 2 = 20 rows. */
    static final long[] ROWS = {6, 6, 3, 3, 2};

    private static Tensor random(Ops ops, Arena arena, Random rnd, long... shape) {
        return CpuTensors.random(ops, arena, rnd, shape);
    }

    /** Weight, bias, weight, bias ... in the arena: never back to back. */
    private static List<FluxTransformer.Linear> linears(Ops ops, Arena arena, long d, long... outs) {
        Random rnd = new Random(7);
        List<FluxTransformer.Linear> l = new ArrayList<>();
        for (long out : outs) {
            l.add(new FluxTransformer.Linear(random(ops, arena, rnd, out, d), random(ops, arena, rnd, out)));
        }
        return l;
    }

    /** All weights, then all biases (as modulationFirst loads them): back to back when sizes are 256-byte multiples. */
    private static List<FluxTransformer.Linear> packedLinears(Ops ops, Arena arena, long d, long... outs) {
        Random rnd = new Random(7);
        List<Tensor> w = new ArrayList<>();
        for (long out : outs) {
            w.add(random(ops, arena, rnd, out, d));
        }
        List<FluxTransformer.Linear> l = new ArrayList<>();
        for (int i = 0; i < outs.length; i++) {
            l.add(new FluxTransformer.Linear(w.get(i), random(ops, arena, rnd, outs[i])));
        }
        return l;
    }

    /** Replica {@code index} of {@code count}; the last one's gather copies in the shares the others sent. */
    private static final class SequentialSplit implements ReplicaSplit {
        final Ops ops;
        final int index;
        final int count;
        final List<float[]> sent;

        SequentialSplit(Ops ops, int index, int count, List<float[]> sent) {
            this.ops = ops;
            this.index = index;
            this.count = count;
            this.sent = sent;
        }

        @Override
        public int index() {
            return index;
        }

        @Override
        public int count() {
            return count;
        }

        @Override
        public void allGather(Tensor send, Tensor recv) {
            assertEquals(send.numel() * count, recv.numel(), "recv holds count x send");
            sent.add(ops.toFloatArray(send));
            if (index == count - 1) {
                ByteBuffer b = ByteBuffer.allocate((int) recv.numel() * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float[] share : sent) {
                    for (float v : share) {
                        b.putFloat(v);
                    }
                }
                b.flip();
                ops.copyFromHost(recv, b, DType.F32);
            }
        }
    }

    @Test
    void everySplitGivesEachLinearsOwnOutput() {
        check(8, false);
    }

    /** D = 64, fp32: every weight and bias a multiple of 256 bytes, so the arena packs them and a share is one GEMV. */
    @Test
    void packedWeightsGiveTheSameTable() {
        check(64, true);
    }

    private static void check(long d, boolean packed) {
        long[] outs = new long[ROWS.length];
        for (int i = 0; i < outs.length; i++) {
            outs[i] = ROWS[i] * d;
        }
        try (CpuBackend backend = new CpuBackend(4 << 20)) {
            Ops ops = backend.ops();
            Arena w = backend.reserve("w", 1 << 20);
            List<FluxTransformer.Linear> l = packed ? packedLinears(ops, w, d, outs) : linears(ops, w, d, outs);
            ModulationTable table = new ModulationTable(l, d);
            assertEquals(packed, table.packed(), "packed weights detected");
            assertEquals(20, table.vectors());
            Tensor x = random(ops, w, new Random(11), 1, d);
            List<float[]> expected = new ArrayList<>();
            for (FluxTransformer.Linear lin : l) {
                Tensor y = w.allocate(DType.F32, 1, lin.outFeatures());
                ops.linear(y, x, lin.weight, lin.bias, Activation.NONE);
                expected.add(ops.toFloatArray(y));
            }
            for (int n : new int[] {1, 2, 3, 7, 25}) {
                List<float[]> sent = new ArrayList<>();
                Tensor t = null;
                for (int i = 0; i < n; i++) {
                    ReplicaSplit split = n == 1 ? ReplicaSplit.ALONE : new SequentialSplit(ops, i, n, sent);
                    t = table.compute(ops, split, x);
                }
                assertEquals((long) n * table.share(n), t.dim(0), "rows for " + n + " replicas");
                for (int i = 0; i < l.size(); i++) {
                    float[] got = ops.toFloatArray(table.of(t, i));
                    float[] want = expected.get(i);
                    assertEquals(want.length, got.length);
                    for (int j = 0; j < want.length; j++) {
                        assertEquals(want[j], got[j], 1e-5f * (1 + Math.abs(want[j])) * (float) Math.sqrt(d / 8.0),
                                "replicas " + n + ", linear " + i + ", value " + j);
                    }
                }
            }
        }
    }

    @Test
    void modulationFirstPutsTheTableWeightsThenBiasesFirstAndKeepsTheRest() {
        FluxConfig c = new FluxConfig(16, 16, 1, 1, 32, 4, 64, 32, true, new int[] {4, 14, 14});
        List<dev.sparkdit.models.ModelParam> all = FluxCheckpointLayout.DIFFUSERS.params(c);
        List<String> names = ModulationTable.modulationFirst(all, c).stream().map(p -> p.name()).toList();
        assertEquals(List.of("transformer_blocks.0.norm1.linear.weight", "transformer_blocks.0.norm1_context.linear.weight",
                "single_transformer_blocks.0.norm.linear.weight", "norm_out.linear.weight",
                "transformer_blocks.0.norm1.linear.bias", "transformer_blocks.0.norm1_context.linear.bias",
                "single_transformer_blocks.0.norm.linear.bias", "norm_out.linear.bias"), names.subList(0, 8));
        assertEquals(all.size(), names.size());
        List<String> rest = all.stream().map(p -> p.name()).filter(n -> !names.subList(0, 8).contains(n)).toList();
        assertEquals(rest, names.subList(8, names.size()));
    }

    @Test
    void rowsMatchTheTableAModelBuilds() {
        FluxConfig c = new FluxConfig(16, 16, 2, 3, 32, 4, 64, 32, true, new int[] {4, 14, 14});
        assertEquals(12 * 2 + 3 * 3 + 2, ModulationTable.rows(c));
    }

    @Test
    void aLinearThatIsNotWholeRowsIsRejectedWithItsShape() {
        try (CpuBackend backend = new CpuBackend(1 << 20)) {
            Ops ops = backend.ops();
            List<FluxTransformer.Linear> l = linears(ops, backend.reserve("w", 1 << 16), 8, 6 * 8, 3 * 8 + 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ModulationTable(l, 8));
            assertTrue(e.getMessage().contains("modulation linear 1") && e.getMessage().contains("25"), e.getMessage());
        }
    }
}
