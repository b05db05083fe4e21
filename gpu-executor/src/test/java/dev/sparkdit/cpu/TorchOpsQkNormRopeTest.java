package dev.sparkdit.cpu;

import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * qkNormRope into head-grouped {@code [G, H/G, Stot, Dh]} views (Ulysses' peer-window layout: q, k, v
 * interleaved per row, groups apart) writes exactly what the contiguous {@code [H, Stot, Dh]} call
 * writes, and nothing outside its rows.
 */
class TorchOpsQkNormRopeTest {
    private static final int S = 5;
    private static final int GROUPS = 2;
    private static final int HPG = 3;
    private static final int H = GROUPS * HPG;
    private static final int DH = 8;
    private static final int OFFSET = 2;
    private static final int STOT = OFFSET + S + 1;

    @Test
    void groupedTargetsHoldWhatTheContiguousCallWrites() {
        try (TorchOps ops = new TorchOps(1 << 20)) {
            Arena a = ops.scratch();
            Tensor qkv = filled(ops, a.allocate(DType.F32, S, 3 * H * DH), 1);
            Tensor nq = filled(ops, a.allocate(DType.F32, DH), 2);
            Tensor nk = filled(ops, a.allocate(DType.F32, DH), 3);
            Tensor cos = filled(ops, a.allocate(DType.F32, S, DH), 4);
            Tensor sin = filled(ops, a.allocate(DType.F32, S, DH), 5);
            Tensor[] plain = new Tensor[3];
            for (int i = 0; i < 3; i++) {
                plain[i] = a.allocate(DType.F32, H, STOT, DH);
                ops.fill(plain[i], Float.NaN);
            }
            ops.qkNormRope(qkv, nq, nk, 1e-6f, cos, sin, plain[0], plain[1], plain[2], OFFSET);

            long row = 3L * HPG * DH;
            long part = STOT * row + 16;
            Tensor parts = a.allocate(DType.F32, GROUPS * part);
            ops.fill(parts, Float.NaN);
            Tensor[] grouped = new Tensor[3];
            for (int i = 0; i < 3; i++) {
                grouped[i] = new Tensor(parts.address() + 4L * i * HPG * DH, parts.device(), DType.F32,
                        new long[] {GROUPS, HPG, STOT, DH}, new long[] {part, DH, row, 1});
            }
            ops.qkNormRope(qkv, nq, nk, 1e-6f, cos, sin, grouped[0], grouped[1], grouped[2], OFFSET);

            float[] got = ops.toFloatArray(parts);
            boolean[] written = new boolean[got.length];
            int checked = 0;
            for (int t = 0; t < 3; t++) {
                float[] want = ops.toFloatArray(plain[t]);
                for (int h = 0; h < H; h++) {
                    for (int r = OFFSET; r < OFFSET + S; r++) {
                        for (int d = 0; d < DH; d++) {
                            int at = (int) ((h / HPG) * part + t * HPG * DH + (h % HPG) * DH + r * row + d);
                            float w = want[(h * STOT + r) * DH + d];
                            assertTrue(Float.isFinite(w), "contiguous call left " + w);
                            assertEquals(w, got[at], "qkv".charAt(t) + " head " + h + " row " + r + " element " + d);
                            written[at] = true;
                            checked++;
                        }
                    }
                }
            }
            assertEquals(3 * H * S * DH, checked);
            for (int i = 0; i < got.length; i++) {
                if (!written[i]) {
                    assertTrue(Float.isNaN(got[i]), "element " + i + " outside the rows was written: " + got[i]);
                }
            }
        }
    }

    @Test
    void kAndVMustMatchQsShape() {
        try (TorchOps ops = new TorchOps(1 << 20)) {
            Arena a = ops.scratch();
            Tensor qkv = a.allocate(DType.F32, S, 3 * H * DH);
            Tensor n = a.allocate(DType.F32, DH);
            Tensor cs = a.allocate(DType.F32, S, DH);
            Tensor q = a.allocate(DType.F32, H, STOT, DH);
            Tensor kBad = a.allocate(DType.F32, H, STOT - 1, DH);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ops.qkNormRope(qkv, n, n, 1e-6f, cs, cs, q, kBad, q, 0));
            assertTrue(e.getMessage().contains("k [" + H + ", " + (STOT - 1) + ", " + DH + "]"), e.getMessage());
        }
    }

    private static Tensor filled(TorchOps ops, Tensor t, long seed) {
        Random rnd = new Random(seed);
        ByteBuffer b = ByteBuffer.allocateDirect((int) t.numel() * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < t.numel(); i++) {
            b.putFloat((float) rnd.nextGaussian());
        }
        ops.copyFromHost(t, b.flip(), DType.F32);
        return t;
    }
}
