package dev.sparkdit.cuda;

import dev.sparkdit.tensor.Tensor;

/**
 * {@code dst <- src} for two views of the same shape and dtype, any strides, rank up to 6 after merging:
 * one launch of {@code strided_copy_b<unit>} (strided_copy.cu) planned by {@link CopyLayout}.
 *
 * <pre>
 *   strided_copy_bN(U* dst, const U* src, CopyDims dims, i32 rank, i64 total)
 *   CopyDims = { i64 size[6]; i64 dst[6]; i64 src[6]; }   (units of N bytes, outermost first)
 *   grid min(ceil(total / 256), 2^20), block 256, grid-stride
 * </pre>
 */
public final class StridedCopy {
    static final int BLOCK = 256;
    static final long MAX_GRID = 1L << 20;
    private final KernelModule module;
    private final CudaStream stream;

    public StridedCopy(KernelModule module, CudaStream stream) {
        this.module = module;
        this.stream = stream;
    }

    public void run(Tensor dst, Tensor src) {
        Matrix.requireCuda(dst, "strided copy dst");
        Matrix.requireCuda(src, "strided copy src");
        CopyLayout plan = CopyLayout.of(dst, src);
        long total = plan.total();
        if (total == 0) {
            return;
        }
        try (KernelArgs a = new KernelArgs().ptr(dst).ptr(src).i64s(plan.dims()).i32(plan.rank()).i64(total)) {
            module.launch("strided_copy_b" + plan.unitBytes(), Math.min(Matrix.ceilDiv(total, BLOCK), MAX_GRID), 1, 1,
                    BLOCK, 0, stream, a);
        }
    }
}
