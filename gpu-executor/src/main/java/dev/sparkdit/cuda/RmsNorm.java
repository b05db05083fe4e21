package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

/**
 * {@code out[S, D] = x / sqrt(mean(x^2) + eps) * weight[D]} over the last dimension, the mean in fp32, one rounding
 * at the end (T5's T5LayerNorm; kernels {@code rms_norm_t[_vec|_warp]} in rms_norm.cu over row_norm.cuh).
 * Transformers' T5 rounds the normalised value to the weight's dtype before the product; this kernel, like the
 * CPU reference, does not (bf16 results differ by bf16 rounding only).
 *
 * <pre>
 *   rms_norm_t[_vec|_warp](T* out, i64 ldo, const T* x, i64 ldx, const T* w, null, i32 cols, f32 eps, i64 rows)
 *   grids as {@link LayerNorm}'s: a warp per row up to 2048 bf16 / 1024 fp32 aligned columns, a block per row
 *   with the row in registers up to 8192 / 4096 (T5-XXL's 4096), a block per row re-reading memory otherwise
 * </pre>
 */
public final class RmsNorm {
    static final String OP = "rms_norm";
    private final KernelModule module;
    private final CudaStream stream;

    public RmsNorm(KernelModule module, CudaStream stream) {
        this.module = module;
        this.stream = stream;
    }

    public static String kernelName(DType dt, String variant) {
        return RowNorm.kernelName(OP, dt, variant);
    }

    /** {@code weight}: [D] of x's dtype, required. */
    public void run(Tensor out, Tensor x, Tensor weight, float eps) {
        if (weight == null) {
            throw new IllegalArgumentException("rmsNorm: weight is required (x " + x + ")");
        }
        RowNorm.run(module, stream, OP, out, x, weight, null, eps);
    }
}
