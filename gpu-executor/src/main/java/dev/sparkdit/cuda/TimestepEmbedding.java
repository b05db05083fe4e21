package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

/**
 * The sinusoidal timestep embedding (diffusers {@code get_timestep_embedding}, flip_sin_to_cos=True,
 * downscale_freq_shift=0) with the timestep read on the device (kernels in timestep_embedding.cu).
 *
 * <pre>
 *   timestep_embedding_o_tt(O* out, const TT* t, f32 tScale, i32 dim)
 *   out: dim contiguous = [cos(t f_0) .. cos(t f_{h-1}) | sin(t f_0) .. sin(t f_{h-1})], h = dim/2,
 *        f_i = exp(-ln(10000) i / h), t = t[0] * tScale
 *   t:   one element on the device (f32 or bf16)
 *   grid ceil((dim/2 + 1) / 256), block 256
 * </pre>
 */
public final class TimestepEmbedding {
    private final KernelModule module;
    private final CudaStream stream;

    public TimestepEmbedding(KernelModule module, CudaStream stream) {
        this.module = module;
        this.stream = stream;
    }

    public static String kernelName(DType out, DType t) {
        return "timestep_embedding_" + Matrix.suffix(out) + "_t" + Matrix.suffix(t);
    }

    public void run(Tensor out, Tensor t, float tScale) {
        Matrix.requireCuda(out, "timestepEmbedding out");
        Matrix.requireCuda(t, "timestepEmbedding t");
        Matrix.requireDType(out, "timestepEmbedding out", DType.F32, DType.BF16);
        Matrix.requireDType(t, "timestepEmbedding t", DType.F32, DType.BF16);
        Matrix.requireContiguous(out, "timestepEmbedding out");
        if (t.numel() != 1) {
            throw new IllegalArgumentException("timestepEmbedding: t must hold one value, got " + t);
        }
        long dim = out.numel();
        if (dim == 0) {
            return;
        }
        String name = kernelName(out.dtype(), t.dtype());
        try (KernelArgs a = new KernelArgs().ptr(out).ptr(t).f32(tScale).i32(dim)) {
            module.launch(name, Matrix.ceilDiv(dim / 2 + 1, 256), 1, 1, 256, 0, stream, a);
        }
    }
}
