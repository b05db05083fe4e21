package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

/**
 * {@code dst = (dst dtype) src} for any of f32/bf16/f16 to any, over row-strided matrices
 * (kernels {@code convert_<src>_to_<dst>} in convert.cu).
 *
 * <pre>
 *   convert_s_to_d(D* dst, i64 ldDst, const S* src, i64 ldSrc, i64 rows, i64 cols)
 *   dst: rows x cols, row r at dst + r*ldDst      src: rows x cols, row r at src + r*ldSrc
 *   grid (ceil(cols / 256), min(rows, 65535)), block 256; rows beyond gridDim.y are grid-strided
 * </pre>
 */
public final class Convert {
    static final int BLOCK = 256;
    private final KernelModule module;
    private final CudaStream stream;

    public Convert(KernelModule module, CudaStream stream) {
        this.module = module;
        this.stream = stream;
    }

    /** The entry point for a conversion. */
    public static String kernelName(DType src, DType dst) {
        return "convert_" + Matrix.suffix(src) + "_to_" + Matrix.suffix(dst);
    }

    public void run(Tensor dst, Tensor src) {
        Matrix.requireCuda(dst, "convert dst");
        Matrix.requireCuda(src, "convert src");
        Matrix.requireSameShape(dst, "convert dst", src, "src");
        Matrix.requireDType(dst, "convert dst", DType.F32, DType.BF16, DType.F16);
        Matrix.requireDType(src, "convert src", DType.F32, DType.BF16, DType.F16);
        Matrix d = Matrix.of(dst, "convert dst");
        Matrix s = Matrix.of(src, "convert src");
        if (d.rows() == 0 || d.cols() == 0) {
            return;
        }
        String name = kernelName(src.dtype(), dst.dtype());
        try (KernelArgs a = new KernelArgs().ptr(dst).i64(d.ld()).ptr(src).i64(s.ld()).i64(d.rows()).i64(d.cols())) {
            module.launch(name, Matrix.ceilDiv(d.cols(), BLOCK), Math.min(d.rows(), 65535), 1, BLOCK, 0, stream, a);
        }
    }
}
