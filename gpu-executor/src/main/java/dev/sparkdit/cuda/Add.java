package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

/**
 * {@code out = a + b} elementwise, one dtype (f32 or bf16), fp32 arithmetic (kernels in add.cu).
 *
 * <pre>
 *   add_t(T* out, i64 ldo, const T* a, i64 lda, const T* b, i64 ldb, i64 rows, i64 cols)
 *   each operand: rows x cols, row-strided by its ld; grid (ceil(cols / 256), min(rows, 65535))
 * </pre>
 */
public final class Add {
    private final KernelModule module;
    private final CudaStream stream;

    public Add(KernelModule module, CudaStream stream) {
        this.module = module;
        this.stream = stream;
    }

    public static String kernelName(DType dt) {
        return "add_" + Matrix.suffix(dt);
    }

    public void run(Tensor out, Tensor a, Tensor b) {
        for (Tensor t : new Tensor[] {out, a, b}) {
            Matrix.requireCuda(t, "add operand");
            Matrix.requireDType(t, "add operand", DType.F32, DType.BF16);
        }
        Matrix.requireSameShape(out, "add out", a, "a");
        Matrix.requireSameShape(out, "add out", b, "b");
        if (a.dtype() != out.dtype() || b.dtype() != out.dtype()) {
            throw new IllegalArgumentException("add needs one dtype, got out " + out.dtype() + ", a " + a.dtype()
                    + ", b " + b.dtype());
        }
        Matrix o = Matrix.of(out, "add out"), ma = Matrix.of(a, "add a"), mb = Matrix.of(b, "add b");
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
