package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Device;
import dev.sparkdit.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The strided copy's plan, and the kernel's index math run on host bytes against an element-wise copy. */
class CopyLayoutTest {
    private static final Device GPU = Device.cuda(0);
    private static final long SRC_BASE = 0x10000L;
    private static final long DST_BASE = 0x900000L;

    @Test
    void ulyssesPackingOfQIsOneLaunchInSixteenByteUnits() {
        // q [H=24, S=2304, Dh=128] -> send [U=2, 3, hu=12, P=2304, Dh] (slot t = 0), as UlyssesAttention.
        long hu = 12;
        long p = 2304;
        long dh = 128;
        Tensor q = new Tensor(SRC_BASE, GPU, DType.BF16, 24, p, dh);
        Tensor from = new Tensor(q.address(), GPU, DType.BF16, new long[] {2, hu, p, dh},
                new long[] {hu * p * dh, p * dh, dh, 1});
        Tensor to = new Tensor(DST_BASE, GPU, DType.BF16, new long[] {2, hu, p, dh},
                new long[] {3 * hu * p * dh, p * dh, dh, 1});
        CopyLayout plan = CopyLayout.of(to, from);
        assertEquals(16, plan.unitBytes());
        // hu, P and Dh merge into one run per rank chunk; 8 bf16 per unit.
        assertArrayEquals(new long[] {2, hu * p * dh / 8}, plan.size());
        assertArrayEquals(new long[] {3 * hu * p * dh / 8, 1}, plan.dst());
        assertArrayEquals(new long[] {hu * p * dh / 8, 1}, plan.src());
        assertEmulatedCopyMatches(to, from);
    }

    @Test
    void contiguousTensorsAreOneRun() {
        Tensor a = new Tensor(SRC_BASE, GPU, DType.F32, 3, 5, 8);
        Tensor b = new Tensor(DST_BASE, GPU, DType.F32, 3, 5, 8);
        CopyLayout plan = CopyLayout.of(b, a);
        assertEquals(16, plan.unitBytes());
        assertArrayEquals(new long[] {30}, plan.size());
    }

    @Test
    void oddInnerExtentsAndMisalignedAddressesNarrowTheUnit() {
        // Rows of 7 bf16 in rows of 9: nothing merges and 14-byte rows allow only 2-byte units.
        Tensor odd = new Tensor(SRC_BASE, GPU, DType.BF16, new long[] {4, 7}, new long[] {9, 1});
        assertEquals(2, CopyLayout.of(new Tensor(DST_BASE, GPU, DType.BF16, 4, 7), odd).unitBytes());
        // Contiguous, the same 28 elements are one 56-byte run: 8-byte units.
        assertEquals(8, CopyLayout.of(new Tensor(DST_BASE, GPU, DType.BF16, 4, 7),
                new Tensor(SRC_BASE, GPU, DType.BF16, 4, 7)).unitBytes());
        Tensor even = new Tensor(SRC_BASE + 4, GPU, DType.BF16, new long[] {4, 8}, new long[] {16, 1});
        Tensor dst = new Tensor(DST_BASE, GPU, DType.BF16, new long[] {4, 8}, new long[] {8, 1});
        assertEquals(4, CopyLayout.of(dst, even).unitBytes(), "source 4-byte aligned only");
        Tensor transposed = new Tensor(SRC_BASE, GPU, DType.BF16, new long[] {8, 4}, new long[] {1, 8});
        assertEquals(2, CopyLayout.of(new Tensor(DST_BASE, GPU, DType.BF16, 8, 4), transposed).unitBytes());
        assertEmulatedCopyMatches(dst, even);
        assertEmulatedCopyMatches(new Tensor(DST_BASE, GPU, DType.BF16, 8, 4), transposed);
    }

    @Test
    void randomViewsCopyLikeAnElementWiseLoop() {
        Random rng = new Random(20261122);
        for (int trial = 0; trial < 400; trial++) {
            DType dt = new DType[] {DType.F32, DType.BF16, DType.F8_E4M3}[rng.nextInt(3)];
            int rank = 1 + rng.nextInt(5);
            long[] shape = new long[rank];
            for (int i = 0; i < rank; i++) {
                shape[i] = 1 + rng.nextInt(6);
            }
            if (rng.nextBoolean()) {
                shape[rank - 1] = 8L << rng.nextInt(3);
            }
            Tensor src = randomView(rng, SRC_BASE, dt, shape);
            Tensor dst = randomView(rng, DST_BASE, dt, shape);
            assertEmulatedCopyMatches(dst, src);
        }
    }

    @Test
    void emptyAndScalarLikeViews() {
        assertEquals(0, CopyLayout.of(new Tensor(DST_BASE, GPU, DType.F32, 3, 0, 2),
                new Tensor(SRC_BASE, GPU, DType.F32, 3, 0, 2)).total());
        CopyLayout one = CopyLayout.of(new Tensor(DST_BASE, GPU, DType.F32, 1, 1),
                new Tensor(SRC_BASE, GPU, DType.F32, 1, 1));
        assertEquals(1, one.total());
        assertEquals(4, one.unitBytes());
    }

    @Test
    void mismatchesAndTooManyDimensionsNameTheViews() {
        Tensor a = new Tensor(SRC_BASE, GPU, DType.F32, 2, 3);
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> CopyLayout.of(new Tensor(DST_BASE, GPU, DType.F32, 3, 2), a));
        assertTrue(shape.getMessage().contains("[3, 2]") && shape.getMessage().contains("[2, 3]"), shape.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> CopyLayout.of(new Tensor(DST_BASE, GPU, DType.BF16, 2, 3), a));
        // Seven dimensions of extent 2 whose strides never line up: nothing merges.
        long[] shape7 = {2, 2, 2, 2, 2, 2, 2};
        long[] s1 = {3000, 1000, 300, 100, 30, 10, 1};
        long[] s2 = {1, 3, 10, 30, 100, 300, 1000};
        IllegalArgumentException deep = assertThrows(IllegalArgumentException.class, () -> CopyLayout.of(
                new Tensor(DST_BASE, GPU, DType.F32, shape7, s2), new Tensor(SRC_BASE, GPU, DType.F32, shape7, s1)));
        assertTrue(deep.getMessage().contains("rank 7"), deep.getMessage());
    }

    /** A view of {@code shape} laid out in a random dimension order inside a padded buffer, at an offset. */
    private static Tensor randomView(Random rng, long base, DType dt, long[] shape) {
        int rank = shape.length;
        Integer[] order = new Integer[rank];
        for (int i = 0; i < rank; i++) {
            order[i] = i;
        }
        if (rng.nextBoolean()) {
            java.util.Collections.shuffle(Arrays.asList(order), rng);
        }
        long[] strides = new long[rank];
        long step = 1;
        for (int j = rank - 1; j >= 0; j--) {
            int d = order[j];
            strides[d] = step;
            step *= shape[d] + (rng.nextInt(3) == 0 ? rng.nextInt(3) : 0);
        }
        long offset = rng.nextInt(4) == 0 ? rng.nextInt(17) : 16L * rng.nextInt(4);
        return new Tensor(base + offset * dt.bytes(), GPU, dt, shape.clone(), strides);
    }

    /** Runs the plan's index math on host bytes and compares with a copy element by element. */
    private static void assertEmulatedCopyMatches(Tensor dst, Tensor src) {
        CopyLayout plan = CopyLayout.of(dst, src);
        assertTrue(plan.rank() <= CopyLayout.MAX_RANK);
        int es = src.dtype().bytes();
        int unit = plan.unitBytes();
        assertEquals(0, (src.address() - SRC_BASE) % unit, "source aligned to the unit");
        assertEquals(0, (dst.address() - DST_BASE) % unit, "destination aligned to the unit");
        byte[] srcMem = new byte[(int) (extent(src) + src.address() - SRC_BASE + 64)];
        new Random(srcMem.length).nextBytes(srcMem);
        int dstLen = (int) (extent(dst) + dst.address() - DST_BASE + 64);
        byte[] expected = new byte[dstLen];
        byte[] actual = new byte[dstLen];
        long n = src.numel();
        long[] idx = new long[src.rank()];
        for (long flat = 0; flat < n; flat++) {
            long r = flat;
            long so = src.address() - SRC_BASE;
            long dof = dst.address() - DST_BASE;
            for (int k = src.rank() - 1; k >= 0; k--) {
                idx[k] = r % src.dim(k);
                r /= src.dim(k);
                so += idx[k] * src.stride(k) * es;
                dof += idx[k] * dst.stride(k) * es;
            }
            System.arraycopy(srcMem, (int) so, expected, (int) dof, es);
        }
        long units = plan.total();
        assertEquals(n * es, units * unit, "units cover every element once: " + plan);
        for (long i = 0; i < units; i++) {
            long so = src.address() - SRC_BASE + plan.sourceOffset(i) * unit;
            long dof = dst.address() - DST_BASE + plan.destOffset(i) * unit;
            System.arraycopy(srcMem, (int) so, actual, (int) dof, unit);
        }
        assertArrayEquals(expected, actual, () -> dst + " <- " + src + " with " + plan);
    }

    private static long extent(Tensor t) {
        long e = 0;
        for (int i = 0; i < t.rank(); i++) {
            e += (t.dim(i) - 1) * t.stride(i);
        }
        return (e + 1) * t.dtype().bytes();
    }
}
