package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

import java.util.Locale;

/**
 * Binary elementwise kernels over row-strided matrices, one dtype (f32 or bf16), fp32 arithmetic, one rounding:
 * {@code out = a + b} (add.cu) and {@code out = a * b} (mul.cu: T5's gated feed-forward {@code gelu(x W0) * (x W1)}).
 *
 * <pre>
 *   add_t / mul_t(T* out, i64 ldo, const T* a, i64 lda, const T* b, i64 ldb, i64 rows, i64 cols)
 *   each operand: rows x cols, row-strided by its ld; grid (ceil(cols / 256), min(rows, 65535)), block 256;
 *   in place allowed (out may be a or b)
 * </pre>
 */
public final class Elementwise {
    /** The operation, named as its kernels are. */
    public enum Op {
        ADD, MUL;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Op op;
    private final KernelModule module;
    private final CudaStream stream;

    public Elementwise(Op op, KernelModule module, CudaStream stream) {
        this.op = op;
        this.module = module;
        this.stream = stream;
    }

    public static String kernelName(Op op, DType dt) {
        return op.label() + "_" + Matrix.suffix(dt);
    }

    public void run(Tensor out, Tensor a, Tensor b) {
        String name = op.label();
        for (Tensor t : new Tensor[] {out, a, b}) {
            Matrix.requireCuda(t, name + " operand");
            Matrix.requireDType(t, name + " operand", DType.F32, DType.BF16);
        }
        Matrix.requireSameShape(out, name + " out", a, "a");
        Matrix.requireSameShape(out, name + " out", b, "b");
        if (a.dtype() != out.dtype() || b.dtype() != out.dtype()) {
            throw new IllegalArgumentException(name + " needs one dtype, got out " + out.dtype() + ", a "
                    + a.dtype() + ", b " + b.dtype());
        }
        Matrix o = Matrix.of(out, name + " out"), ma = Matrix.of(a, name + " a"), mb = Matrix.of(b, name + " b");
        if (o.rows() == 0 || o.cols() == 0) {
            return;
        }
        try (KernelArgs k = new KernelArgs().ptr(out).i64(o.ld()).ptr(a).i64(ma.ld()).ptr(b).i64(mb.ld())
                .i64(o.rows()).i64(o.cols())) {
            module.launch(kernelName(op, out.dtype()), Matrix.ceilDiv(o.cols(), Convert.BLOCK),
                    Math.min(o.rows(), 65535), 1, Convert.BLOCK, 0, stream, k);
        }
    }
}
