package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Device;
import dev.sparkdit.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which quantize kernel a call takes; the tensors are never touched (fake device addresses). */
class Fp8QuantDispatchTest {
    private static final Device GPU = Device.cuda(0);
    private static final long X = 1L << 32;
    private static final long Q = 1L << 33;

    private static Tensor x(long rows, long k) {
        return new Tensor(X, GPU, DType.BF16, rows, k);
    }

    private static Tensor q(long rows, long k) {
        return new Tensor(Q, GPU, DType.F8_E4M3, rows, k);
    }

    @Test
    void gemmActivationsTakeTheRowKernels() {
        for (long k : new long[] {1024, 3072, 12288, 15360, 16400}) {
            assertTrue(Fp8Quant.useRows(q(4608, k), x(4608, k), (int) k), "K = " + k);
        }
    }

    @Test
    void headGroupsOfTheAllToAllTakeTheWarpKernel() {
        // Fp8Communication views its buffer as one row per (token, head) of Dh = 128: a 256-thread block per
        // such row left 8 threads busy and cost Ulysses 2 about 10 ms per step.
        assertFalse(Fp8Quant.useRows(q(4608 * 24, 128), x(4608 * 24, 128), 128));
        assertFalse(Fp8Quant.useRows(q(100, 512), x(100, 512), 512));
    }

    @Test
    void groupsShorterThanTheRowTakeTheWarpKernel() {
        assertFalse(Fp8Quant.useRows(q(4608, 3072), x(4608, 3072), 128));
    }

    @Test
    void misalignedOrNonBf16RowsTakeTheWarpKernel() {
        Tensor odd = new Tensor(X + 2, GPU, DType.BF16, 16, 3072);
        assertFalse(Fp8Quant.useRows(q(16, 3072), odd, 3072));
        Tensor f32 = new Tensor(X, GPU, DType.F32, 16, 3072);
        assertFalse(Fp8Quant.useRows(q(16, 3072), f32, 3072));
        assertFalse(Fp8Quant.useRows(q(16, 3068), x(16, 3068), 3068)); // K % 8 != 0
    }
}
