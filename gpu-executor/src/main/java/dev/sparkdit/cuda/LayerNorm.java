package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

/**
 * {@code out[S, D] = (x - mean) / sqrt(var + eps) * weight[D] + bias[D]} over the last dimension, biased
 * variance, fp32 statistics in two passes (mean, then squared deviations), weight and bias each optional
 * (CLIP's LayerNorm; kernels {@code layer_norm_t[_vec|_warp]} in layer_norm.cu over row_norm.cuh).
 *
 * <pre>
 *   layer_norm_t[_vec|_warp](T* out, i64 ldo, const T* x, i64 ldx, const T* w, const T* b, i32 cols, f32 eps,
 *                            i64 rows)
 *   bf16 / fp32 rows of up to 2048 / 1024 aligned columns: one warp per row, grid (ceil(rows / 8)), block 256
 *   up to 8192 / 4096 aligned columns: one block per row, grid (rows), block 256, the row in registers
 *   anything else: one block per row, grid (rows), block 256, the row re-read from memory per pass
 * </pre>
 * The choice is {@link RowNorm}'s.
 */
public final class LayerNorm {
    static final String OP = "layer_norm";
    private final KernelModule module;
    private final CudaStream stream;

    public LayerNorm(KernelModule module, CudaStream stream) {
        this.module = module;
        this.stream = stream;
    }

    /** {@code variant}: "" (any layout), "_vec" or "_warp". */
    public static String kernelName(DType dt, String variant) {
        return RowNorm.kernelName(OP, dt, variant);
    }

    /** {@code weight}, {@code bias}: [D] of x's dtype, or null. */
    public void run(Tensor out, Tensor x, Tensor weight, Tensor bias, float eps) {
        RowNorm.run(module, stream, OP, out, x, weight, bias, eps);
    }
}
