// timestep_embedding: diffusers get_timestep_embedding(flip_sin_to_cos=True, downscale_freq_shift=0):
//   out[i] = cos(t * f_i), out[half + i] = sin(t * f_i), f_i = exp(-ln(10000) * i / half), half = dim / 2,
//   t = t[0] * tScale read on the device (a captured graph reads the new timestep on each replay).
// fp32 with accurate expf/sinf/cosf (this file is built without --use_fast_math). Odd dim: last element 0.
#include "common.cuh"

template <typename T, typename TT>
__device__ void temb_impl(T* out, const TT* t, float tScale, int dim) {
    const int half = dim / 2;
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= half) {
        if (i == half && (dim & 1)) out[dim - 1] = from_f32<T>(0.f);
        return;
    }
    const float tt = to_f32(t[0]) * tScale;
    const float f = expf(-9.210340371976184f * (float)i / (float)half);
    const float a = tt * f;
    out[i] = from_f32<T>(cosf(a));
    out[half + i] = from_f32<T>(sinf(a));
}

/*
 * timestep_embedding_<out>_t<t>(T* out, const TT* t, float tScale, int dim)
 *   out [dim] contiguous; t [1] on the device. grid ceil((dim/2 + 1) / block).
 */
extern "C" __global__ void timestep_embedding_f32_tf32(float* out, const float* t, float tScale, int dim) {
    temb_impl(out, t, tScale, dim);
}
extern "C" __global__ void timestep_embedding_bf16_tf32(bf16* out, const float* t, float tScale, int dim) {
    temb_impl(out, t, tScale, dim);
}
extern "C" __global__ void timestep_embedding_bf16_tbf16(bf16* out, const bf16* t, float tScale, int dim) {
    temb_impl(out, t, tScale, dim);
}
extern "C" __global__ void timestep_embedding_f32_tbf16(float* out, const bf16* t, float tScale, int dim) {
    temb_impl(out, t, tScale, dim);
}
