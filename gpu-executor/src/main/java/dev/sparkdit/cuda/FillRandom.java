package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

/**
 * Fills a contiguous tensor with {@code offset + scale * u}, u uniform in [-1, 1), from a hash of
 * (seed, index): deterministic, device-side, for benchmark-size random models (fill_random.cu).
 *
 * <pre>
 *   fill_random_t(T* dst, i64 n, u64 seed, f32 offset, f32 scale)   grid-stride, 256 threads
 * </pre>
 */
public final class FillRandom {
    private static final int BLOCK = 256;
    private final KernelModule module;
    private final CudaStream stream;

    public FillRandom(KernelModule module, CudaStream stream) {
        this.module = module;
        this.stream = stream;
    }

    public void run(Tensor dst, long seed, float offset, float scale) {
        Matrix.requireCuda(dst, "fill_random dst");
        Matrix.requireDType(dst, "fill_random dst", DType.F32, DType.BF16);
        if (!dst.isContiguous()) {
            throw new IllegalArgumentException("fill_random needs a contiguous tensor, got " + dst);
        }
        long n = dst.numel();
        if (n == 0) {
            return;
        }
        long blocks = Math.min(Matrix.ceilDiv(n, BLOCK), 65535L * 8);
        try (KernelArgs k = new KernelArgs().ptr(dst).i64(n).i64(seed).f32(offset).f32(scale)) {
            module.launch("fill_random_" + Matrix.suffix(dst.dtype()), blocks, 1, 1, BLOCK, 0, stream, k);
        }
    }
}
