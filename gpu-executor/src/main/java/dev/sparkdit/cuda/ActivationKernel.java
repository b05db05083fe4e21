package dev.sparkdit.cuda;

import dev.sparkdit.ops.Activation;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

/**
 * {@code out = act(x)} elementwise (kernels {@code activation_<t>} in activation.cu; the class is not
 * called {@code Activation} to keep clear of {@link Activation}, the enum it applies). SiLU and
 * GELU-tanh in fp32 with accurate expf/tanhf; in place allowed.
 *
 * <pre>
 *   activation_t(T* out, i64 ldo, const T* x, i64 ldx, i64 rows, i64 cols, i32 act)
 *   act = Activation.ordinal(): 0 NONE, 1 SILU, 2 GELU_TANH, 3 QUICK_GELU; grid (ceil(cols / 256), min(rows, 65535))
 * </pre>
 */
public final class ActivationKernel {
    private final KernelModule module;
    private final CudaStream stream;

    public ActivationKernel(KernelModule module, CudaStream stream) {
        this.module = module;
        this.stream = stream;
    }

    public static String kernelName(DType dt) {
        return "activation_" + Matrix.suffix(dt);
    }

    public void run(Tensor out, Tensor x, Activation act) {
        Matrix.requireCuda(out, "activation out");
        Matrix.requireCuda(x, "activation x");
        Matrix.requireSameShape(out, "activation out", x, "x");
        Matrix.requireDType(out, "activation out", DType.F32, DType.BF16);
        if (x.dtype() != out.dtype()) {
            throw new IllegalArgumentException("activation needs one dtype, got out " + out.dtype() + ", x " + x.dtype());
        }
        Matrix o = Matrix.of(out, "activation out"), mx = Matrix.of(x, "activation x");
        if (o.rows() == 0 || o.cols() == 0) {
            return;
        }
        try (KernelArgs k = new KernelArgs().ptr(out).i64(o.ld()).ptr(x).i64(mx.ld()).i64(o.rows()).i64(o.cols())
                .i32(act.ordinal())) {
            module.launch(kernelName(out.dtype()), Matrix.ceilDiv(o.cols(), Convert.BLOCK),
                    Math.min(o.rows(), 65535), 1, Convert.BLOCK, 0, stream, k);
        }
    }
}
