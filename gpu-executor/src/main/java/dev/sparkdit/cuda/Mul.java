package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

/**
 * {@code out = a * b} elementwise, one dtype (f32 or bf16), fp32 arithmetic, one rounding (kernels in mul.cu):
 * T5's gated feed-forward {@code gelu(x W0) * (x W1)}.
 *
 * <pre>
 *   mul_t(T* out, i64 ldo, const T* a, i64 lda, const T* b, i64 ldb, i64 rows, i64 cols)
 *   each operand: rows x cols, row-strided by its ld; grid (ceil(cols / 256), min(rows, 65535)), block 256;
 *   in place allowed (out may be a or b)
 * </pre>
 */
public final class Mul {
    private final KernelModule module;
    private final CudaStream stream;

    public Mul(KernelModule module, CudaStream stream) {
        this.module = module;
        this.stream = stream;
    }

    public static String kernelName(DType dt) {
        return "mul_" + Matrix.suffix(dt);
    }

    public void run(Tensor out, Tensor a, Tensor b) {
        for (Tensor t : new Tensor[] {out, a, b}) {
            Matrix.requireCuda(t, "mul operand");
            Matrix.requireDType(t, "mul operand", DType.F32, DType.BF16);
        }
        Matrix.requireSameShape(out, "mul out", a, "a");
        Matrix.requireSameShape(out, "mul out", b, "b");
        if (a.dtype() != out.dtype() || b.dtype() != out.dtype()) {
            throw new IllegalArgumentException("mul needs one dtype, got out " + out.dtype() + ", a " + a.dtype()
                    + ", b " + b.dtype());
        }
        Matrix o = Matrix.of(out, "mul out"), ma = Matrix.of(a, "mul a"), mb = Matrix.of(b, "mul b");
        if (o.rows() == 0 || o.cols() == 0) {
            return;
        }
        try (KernelArgs k = new KernelArgs().ptr(out).i64(o.ld()).ptr(a).i64(ma.ld()).ptr(b).i64(mb.ld())
                .i64(o.rows()).i64(o.cols())) {
            module.launch(kernelName(out.dtype()), Matrix.ceilDiv(o.cols(), Convert.BLOCK),
                    Math.min(o.rows(), 65535), 1, Convert.BLOCK, 0, stream, k);
        }
    }
}
