// Row normalisation shared by layer_norm.cu (LayerNorm with optional affine) and rms_norm.cu (T5's RMSNorm):
// each row of a row-strided [rows, cols] matrix is normalised over its columns with fp32 statistics.
//   LayerNorm: y = (x - mean) * rstd * w + b, rstd = 1 / sqrt(mean((x - mean)^2) + eps)   (two passes:
//              the mean first, then the squared deviations, so a large mean does not cancel)
//   RMSNorm:   y = x * rstd * w,               rstd = 1 / sqrt(mean(x^2) + eps)
// w and b may be null (LayerNorm without affine parameters); one rounding to the storage type at the end.
#pragma once
#include "vec_io.cuh"

/** Sum over the threads of one row: the warp, or (WARP false) the whole block. */
template <bool WARP>
__device__ __forceinline__ float row_sum(float v, float* red) {
    return WARP ? warp_sum(v) : block_sum(v, red);
}

/**
 * The row kept in registers: NV vectors of V elements per thread, the threads of a row being one warp
 * (WARP: blockDim / 32 rows per block) or the whole block (one row per block). Needs cols % V == 0,
 * cols <= V * NV * threads-per-row, 16-byte aligned rows (ldx, ldo multiples of V) and w, b.
 */
template <typename T, int V, int NV, bool WARP, bool RMS>
__device__ __forceinline__ void norm_rows_regs(T* out, long long ldo, const T* x, long long ldx, const T* w,
                                               const T* b, int cols, float eps, long long rows) {
    __shared__ float red[32];
    long long r;
    int tid, nthr;
    if (WARP) {
        r = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
        tid = threadIdx.x & 31;
        nthr = 32;
        if (r >= rows) return;  // whole warps leave: no block-wide barrier follows in this variant
    } else {
        r = blockIdx.x;
        tid = threadIdx.x;
        nthr = blockDim.x;
    }
    const T* xr = x + r * ldx;
    const int nv = cols / V;
    float vals[NV][V];
    float s = 0.f;
#pragma unroll
    for (int i = 0; i < NV; i++) {
        const int c = tid + i * nthr;
        if (c < nv) {
            load_vec<T, V>(xr + (long long)c * V, vals[i]);
#pragma unroll
            for (int j = 0; j < V; j++) s += vals[i][j];
        }
    }
    float mean = 0.f;
    if (!RMS) mean = row_sum<WARP>(s, red) / cols;
    float q = 0.f;
#pragma unroll
    for (int i = 0; i < NV; i++) {
        if (tid + i * nthr < nv) {
#pragma unroll
            for (int j = 0; j < V; j++) {
                const float d = vals[i][j] - mean;
                q += d * d;
            }
        }
    }
    const float rstd = rsqrtf(row_sum<WARP>(q, red) / cols + eps);
    T* orow = out + r * ldo;
#pragma unroll
    for (int i = 0; i < NV; i++) {
        const int c = tid + i * nthr;
        if (c < nv) {
            float wv[V], bv[V], y[V];
            if (w != nullptr) load_vec<T, V>(w + (long long)c * V, wv);
            if (b != nullptr) load_vec<T, V>(b + (long long)c * V, bv);
#pragma unroll
            for (int j = 0; j < V; j++) {
                y[j] = (vals[i][j] - mean) * rstd;
                if (w != nullptr) y[j] *= wv[j];
                if (b != nullptr) y[j] += bv[j];
            }
            store_vec<T, V>(orow + (long long)c * V, y);
        }
    }
}

/** Any cols, any alignment: one block per row, reading the row from memory in each pass (L1/L2 serve the repeats). */
template <typename T, bool RMS>
__device__ __forceinline__ void norm_rows_scalar(T* out, long long ldo, const T* x, long long ldx, const T* w,
                                                 const T* b, int cols, float eps) {
    __shared__ float red[32];
    const long long r = blockIdx.x;
    const T* xr = x + r * ldx;
    float mean = 0.f;
    if (!RMS) {
        float s = 0.f;
        for (int c = threadIdx.x; c < cols; c += blockDim.x) s += to_f32(xr[c]);
        mean = block_sum(s, red) / cols;
    }
    float q = 0.f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        const float d = to_f32(xr[c]) - mean;
        q += d * d;
    }
    const float rstd = rsqrtf(block_sum(q, red) / cols + eps);
    T* orow = out + r * ldo;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float y = (to_f32(xr[c]) - mean) * rstd;
        if (w != nullptr) y *= to_f32(w[c]);
        if (b != nullptr) y += to_f32(b[c]);
        orow[c] = from_f32<T>(y);
    }
}

// Vectors per thread kept in registers: a warp per row holds up to 32 * 8 vectors (2048 bf16 / 1024 fp32
// columns), a block of 256 per row up to 256 * 4 (8192 bf16 / 4096 fp32 columns).
#define NORM_WARP_NV 8
#define NORM_BLOCK_NV 4

/*
 * Entry points of one norm (NAME = layer_norm or rms_norm), each
 *   NAME_<t>[_vec|_warp](T* out, long long ldo, const T* x, long long ldx, const T* w, const T* b, int cols,
 *                        float eps, long long rows)
 *   NAME_<t>:      one block per row, any layout                     grid (rows), block 256
 *   NAME_<t>_vec:  one block per row, row in registers, 16-byte I/O  grid (rows), block 256
 *   NAME_<t>_warp: one warp per row, row in registers, 16-byte I/O   grid (ceil(rows / 8)), block 256
 */
#define NORM_ENTRY_POINTS(NAME, RMS, TN, T, V)                                                                  \
    extern "C" __global__ void __launch_bounds__(256) NAME##_##TN(T* out, long long ldo, const T* x,            \
                                                                  long long ldx, const T* w, const T* b,          \
                                                                  int cols, float eps, long long rows) {          \
        norm_rows_scalar<T, RMS>(out, ldo, x, ldx, w, b, cols, eps);                                              \
    }                                                                                                             \
    extern "C" __global__ void __launch_bounds__(256) NAME##_##TN##_vec(T* out, long long ldo, const T* x,      \
                                                                        long long ldx, const T* w, const T* b,    \
                                                                        int cols, float eps, long long rows) {    \
        norm_rows_regs<T, V, NORM_BLOCK_NV, false, RMS>(out, ldo, x, ldx, w, b, cols, eps, rows);                \
    }                                                                                                             \
    extern "C" __global__ void __launch_bounds__(256) NAME##_##TN##_warp(T* out, long long ldo, const T* x,     \
                                                                         long long ldx, const T* w, const T* b,   \
                                                                         int cols, float eps, long long rows) {   \
        norm_rows_regs<T, V, NORM_WARP_NV, true, RMS>(out, ldo, x, ldx, w, b, cols, eps, rows);                  \
    }
