// layer_norm_modulate: out[r, :] = LN(x[r, :]) * (1 + scale[:]) + shift[:]
// LayerNorm without affine parameters, biased variance, fp32 statistics (two passes: mean, then
// sum of squared deviations, so large means do not cancel). One block per row.
#include "common.cuh"

template <typename T>
__device__ void lnm_scalar(T* out, long long ldo, const T* x, long long ldx, const T* shift, const T* scale,
                           int cols, float eps) {
    __shared__ float red[32];
    const long long r = blockIdx.x;
    const T* xr = x + r * ldx;
    float s = 0.f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) s += to_f32(xr[c]);
    const float mean = block_sum(s, red) / cols;
    float v = 0.f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float d = to_f32(xr[c]) - mean;
        v += d * d;
    }
    const float rstd = rsqrtf(block_sum(v, red) / cols + eps);
    T* orow = out + r * ldo;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float n = (to_f32(xr[c]) - mean) * rstd;
        orow[c] = from_f32<T>(n * (1.f + to_f32(scale[c])) + to_f32(shift[c]));
    }
}

/*
 * layer_norm_modulate_<t>(T* out, long long ldo, const T* x, long long ldx, const T* shift, const T* scale,
 *                         int cols, float eps)
 *   x, out [rows, cols] row-strided; shift, scale [cols] contiguous. grid (rows), block 256.
 */
extern "C" __global__ void layer_norm_modulate_f32(float* out, long long ldo, const float* x, long long ldx,
                                                   const float* shift, const float* scale, int cols, float eps) {
    lnm_scalar(out, ldo, x, ldx, shift, scale, cols, eps);
}
extern "C" __global__ void layer_norm_modulate_bf16(bf16* out, long long ldo, const bf16* x, long long ldx,
                                                    const bf16* shift, const bf16* scale, int cols, float eps) {
    lnm_scalar(out, ldo, x, ldx, shift, scale, cols, eps);
}

// (x - mean) * rstd * (1 + scale) + shift for 8 columns, rounded to 8 bf16.
__device__ __forceinline__ uint4 modulate8(const float* x, float mean, float rstd, const uint4& shift,
                                           const uint4& scale) {
    float fs[8], fc[8];
    unpack8(shift, fs);
    unpack8(scale, fc);
    uint4 o;
    __nv_bfloat162* oh = reinterpret_cast<__nv_bfloat162*>(&o);
#pragma unroll
    for (int j = 0; j < 4; j++) {
        const float a = (x[2 * j] - mean) * rstd * (1.f + fc[2 * j]) + fs[2 * j];
        const float b = (x[2 * j + 1] - mean) * rstd * (1.f + fc[2 * j + 1]) + fs[2 * j + 1];
        oh[j] = __floats2bfloat162_rn(a, b);
    }
    return o;
}

/*
 * layer_norm_modulate_bf16_vec8: as layer_norm_modulate_bf16 with 16-byte loads and stores; needs
 * cols % 8 == 0, ldo % 8 == 0, ldx % 8 == 0 and 16-byte aligned bases. Keeps up to 8 vectors per
 * thread in registers (cols <= 8 * 8 * blockDim.x), so x is read from memory once.
 */
#define LNM_MAXV 8
extern "C" __global__ void layer_norm_modulate_bf16_vec8(bf16* out, long long ldo, const bf16* x, long long ldx,
                                                         const bf16* shift, const bf16* scale, int cols, float eps) {
    __shared__ float red[32];
    const long long r = blockIdx.x;
    const uint4* xr = reinterpret_cast<const uint4*>(x + r * ldx);
    const int nv = cols >> 3;
    float vals[LNM_MAXV][8];
    float s = 0.f;
#pragma unroll
    for (int i = 0; i < LNM_MAXV; i++) {
        int c = threadIdx.x + i * blockDim.x;
        if (c < nv) {
            unpack8(xr[c], vals[i]);
#pragma unroll
            for (int j = 0; j < 8; j++) s += vals[i][j];
        }
    }
    const float mean = block_sum(s, red) / cols;
    float v = 0.f;
#pragma unroll
    for (int i = 0; i < LNM_MAXV; i++) {
        int c = threadIdx.x + i * blockDim.x;
        if (c < nv) {
#pragma unroll
            for (int j = 0; j < 8; j++) {
                float d = vals[i][j] - mean;
                v += d * d;
            }
        }
    }
    const float rstd = rsqrtf(block_sum(v, red) / cols + eps);
    const uint4* sh = reinterpret_cast<const uint4*>(shift);
    const uint4* sc = reinterpret_cast<const uint4*>(scale);
    uint4* orow = reinterpret_cast<uint4*>(out + r * ldo);
#pragma unroll
    for (int i = 0; i < LNM_MAXV; i++) {
        int c = threadIdx.x + i * blockDim.x;
        if (c < nv) {
            orow[c] = modulate8(vals[i], mean, rstd, sh[c], sc[c]);
        }
    }
}

/*
 * layer_norm_modulate_bf16_warp: as layer_norm_modulate_bf16_vec8 with one warp per row (8 rows per block
 * of 256): the row stays in registers as packed bf16 (LNM_WARP_MAXV 16-byte vectors per lane) and both
 * reductions are warp shuffles, with no __syncthreads. A block per row (vec8) ran at a third of the
 * memory bandwidth at FLUX's [4608, 3072]. Needs what vec8 needs and cols <= 8 * 32 * LNM_WARP_MAXV.
 */
#define LNM_WARP_MAXV 12
extern "C" __global__ void layer_norm_modulate_bf16_warp(bf16* out, long long ldo, const bf16* x, long long ldx,
                                                         const bf16* shift, const bf16* scale, int cols, float eps,
                                                         long long rows) {
    const long long r = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (r >= rows) return;
    const int lane = threadIdx.x & 31;
    const uint4* xr = reinterpret_cast<const uint4*>(x + r * ldx);
    const int nv = cols >> 3;
    uint4 raw[LNM_WARP_MAXV];
    float s = 0.f;
#pragma unroll
    for (int i = 0; i < LNM_WARP_MAXV; i++) {
        const int c = lane + 32 * i;
        if (c < nv) {
            raw[i] = xr[c];
            float f[8];
            unpack8(raw[i], f);
#pragma unroll
            for (int j = 0; j < 8; j++) s += f[j];
        }
    }
    const float mean = warp_sum(s) / cols;
    float v = 0.f;
#pragma unroll
    for (int i = 0; i < LNM_WARP_MAXV; i++) {
        if (lane + 32 * i < nv) {
            float f[8];
            unpack8(raw[i], f);
#pragma unroll
            for (int j = 0; j < 8; j++) {
                const float d = f[j] - mean;
                v += d * d;
            }
        }
    }
    const float rstd = rsqrtf(warp_sum(v) / cols + eps);
    const uint4* sh = reinterpret_cast<const uint4*>(shift);
    const uint4* sc = reinterpret_cast<const uint4*>(scale);
    uint4* orow = reinterpret_cast<uint4*>(out + r * ldo);
#pragma unroll
    for (int i = 0; i < LNM_WARP_MAXV; i++) {
        const int c = lane + 32 * i;
        if (c < nv) {
            float f[8];
            unpack8(raw[i], f);
            orow[c] = modulate8(f, mean, rstd, sh[c], sc[c]);
        }
    }
}
