// group_norm: GroupNorm of a channels-last image x [P, C] (P pixels, row stride ldx), G groups of
// cpg = C / G consecutive channels, each normalised over all its pixels and channels, then
// y = act((x - mean_g) * rstd_g * w[c] + b[c]) (the VAE's GroupNorm, SiLU fused). Three launches:
//
//   1. group_norm_stats_<t>_w<W>: a grid-wide reduction. Thread (u, rr) of a block of U x R threads
//      (U = C / W vectors of W channels per pixel, R pixel rows per step) reads vector u of pixel rows
//      blockIdx.x * R + rr, + gridDim.x * R, ... and keeps one Welford state (count, mean, M2) for the group
//      of that vector (W divides cpg, so a vector never straddles two groups): each vector's own mean and M2
//      are folded in with Chan's formula. The block combines its threads per group (Chan again, in shared
//      memory) and writes partial[g][blockIdx.x] = (count, mean, M2).
//   2. group_norm_finalize: one block per group combines the partials in fp64 (Chan) and writes
//      stats[g] = (mean, 1 / sqrt(M2 / count + eps)) (biased variance, as torch.nn.GroupNorm).
//   3. group_norm_apply_<t>_w<W>: the same (u, rr) mapping; each thread holds its W channels' mean, rstd * w
//      and b in registers and streams pixel rows: y = (x - mean) * a + b, then the activation. In place allowed.
//
// No E[x^2] - E[x]^2: every combination is of (mean, M2) pairs, which stays accurate over millions of pixels.
#include "vec_io.cuh"

template <typename T, int W>
__device__ __forceinline__ void group_norm_stats_impl(const T* __restrict__ x, long long ldx, long long P, int C,
                                                      int cpg, float* __restrict__ partial) {
    extern __shared__ float gn_red[];  // [3][blockDim.x]: count, mean, M2 per thread
    const int U = C / W, R = blockDim.x / U;
    const int u = threadIdx.x % U, rr = threadIdx.x / U;
    float n = 0.f, mean = 0.f, m2 = 0.f;
    if (rr < R) {
        const T* xc = x + (long long)u * W;
        const long long step = (long long)gridDim.x * R;
        for (long long p = (long long)blockIdx.x * R + rr; p < P; p += step) {
            float f[W];
            load_vec<T, W>(xc + p * ldx, f);
            float mb = 0.f;
#pragma unroll
            for (int i = 0; i < W; i++) mb += f[i];
            mb *= 1.f / W;
            float m2b = 0.f;
#pragma unroll
            for (int i = 0; i < W; i++) {
                const float d = f[i] - mb;
                m2b += d * d;
            }
            const float na = n;
            n += (float)W;
            const float delta = mb - mean;
            const float wb = (float)W / n;
            mean += delta * wb;
            m2 += m2b + delta * delta * na * wb;
        }
    }
    float* sn = gn_red;
    float* sm = gn_red + blockDim.x;
    float* sq = gn_red + 2 * blockDim.x;
    sn[threadIdx.x] = n;
    sm[threadIdx.x] = mean;
    sq[threadIdx.x] = m2;
    __syncthreads();
    const int G = C / cpg, upg = cpg / W;  // vectors per group
    for (int g = threadIdx.x; g < G; g += blockDim.x) {
        float cn = 0.f, cm = 0.f, cq = 0.f;
        for (int r = 0; r < R; r++) {
            for (int j = 0; j < upg; j++) {
                const int t = r * U + g * upg + j;
                const float nb = sn[t];
                if (nb == 0.f) continue;
                const float na = cn;
                cn += nb;
                const float delta = sm[t] - cm;
                const float wb = nb / cn;
                cm += delta * wb;
                cq += sq[t] + delta * delta * na * wb;
            }
        }
        float* o = partial + ((long long)g * gridDim.x + blockIdx.x) * 3;
        o[0] = cn;
        o[1] = cm;
        o[2] = cq;
    }
}

/*
 * group_norm_stats_<t>_w<W>(const T* x, long long ldx, long long P, int C, int cpg, float* partial)
 *   grid (nb), block U * R (U = C / W <= 1024), dynamic shared memory 12 * blockDim bytes;
 *   partial [G][nb][3] fp32. Needs W | cpg and (W > 1) 8 * W-byte aligned rows (ldx % W == 0, x aligned).
 */
#define GN_STATS(TN, T, W)                                                                                     \
    extern "C" __global__ void __launch_bounds__(1024) group_norm_stats_##TN##_w##W(                          \
        const T* x, long long ldx, long long P, int C, int cpg, float* partial) {                             \
        group_norm_stats_impl<T, W>(x, ldx, P, C, cpg, partial);                                               \
    }
GN_STATS(f32, float, 1)
GN_STATS(f32, float, 4)
GN_STATS(bf16, bf16, 1)
GN_STATS(bf16, bf16, 4)
GN_STATS(bf16, bf16, 8)

/*
 * group_norm_finalize(const float* partial, int nb, float eps, float* stats)
 *   grid (G), block 256: stats [G][2] = (mean, rstd) from partial [G][nb][3], combined in fp64.
 */
extern "C" __global__ void __launch_bounds__(256) group_norm_finalize(const float* __restrict__ partial, int nb,
                                                                     float eps, float* __restrict__ stats) {
    __shared__ double s_n[256], s_m[256], s_q[256];
    const int g = blockIdx.x;
    const float* pg = partial + (long long)g * nb * 3;
    double n = 0.0, mean = 0.0, m2 = 0.0;
    for (int i = threadIdx.x; i < nb; i += blockDim.x) {
        const double nb_ = pg[3 * i];
        if (nb_ == 0.0) continue;
        const double na = n;
        n += nb_;
        const double delta = (double)pg[3 * i + 1] - mean;
        mean += delta * nb_ / n;
        m2 += (double)pg[3 * i + 2] + delta * delta * na * nb_ / n;
    }
    s_n[threadIdx.x] = n;
    s_m[threadIdx.x] = mean;
    s_q[threadIdx.x] = m2;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half >>= 1) {
        if (threadIdx.x < half) {
            const double na = s_n[threadIdx.x], nb_ = s_n[threadIdx.x + half];
            if (nb_ > 0.0) {
                const double nn = na + nb_;
                const double delta = s_m[threadIdx.x + half] - s_m[threadIdx.x];
                s_m[threadIdx.x] += delta * nb_ / nn;
                s_q[threadIdx.x] += s_q[threadIdx.x + half] + delta * delta * na * nb_ / nn;
                s_n[threadIdx.x] = nn;
            }
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        const double cnt = s_n[0];
        const double var = cnt > 0.0 ? s_q[0] / cnt : 0.0;
        stats[2 * g] = (float)s_m[0];
        stats[2 * g + 1] = (float)(1.0 / sqrt(var + (double)eps));
    }
}

template <typename T, int W>
__device__ __forceinline__ void group_norm_apply_impl(T* out, long long ldo, const T* x, long long ldx,
                                                      long long P, int C, int cpg, const float* __restrict__ stats,
                                                      const T* __restrict__ w, const T* __restrict__ b, int act) {
    const int U = C / W, R = blockDim.x / U;
    const int u = threadIdx.x % U, rr = threadIdx.x / U;
    if (rr >= R) return;
    const int c0 = u * W, g = c0 / cpg;
    const float mean = stats[2 * g], rstd = stats[2 * g + 1];
    float a[W], sh[W];
#pragma unroll
    for (int i = 0; i < W; i++) {
        a[i] = rstd * to_f32(w[c0 + i]);
        sh[i] = to_f32(b[c0 + i]);
    }
    const long long step = (long long)gridDim.x * R;
#pragma unroll 2
    for (long long p = (long long)blockIdx.x * R + rr; p < P; p += step) {
        float f[W];
        load_vec<T, W>(x + p * ldx + c0, f);
#pragma unroll
        for (int i = 0; i < W; i++) f[i] = apply_act((f[i] - mean) * a[i] + sh[i], act);
        store_vec<T, W>(out + p * ldo + c0, f);
    }
}

/*
 * group_norm_apply_<t>_w<W>(T* out, long long ldo, const T* x, long long ldx, long long P, int C, int cpg,
 *                           const float* stats, const T* w, const T* b, int act)
 *   grid (any; pixel rows are grid-strided), block U * R as the stats kernel; act = Activation ordinal.
 */
#define GN_APPLY(TN, T, W)                                                                                     \
    extern "C" __global__ void __launch_bounds__(1024) group_norm_apply_##TN##_w##W(                          \
        T* out, long long ldo, const T* x, long long ldx, long long P, int C, int cpg, const float* stats,    \
        const T* w, const T* b, int act) {                                                                     \
        group_norm_apply_impl<T, W>(out, ldo, x, ldx, P, C, cpg, stats, w, b, act);                           \
    }
GN_APPLY(f32, float, 1)
GN_APPLY(f32, float, 4)
GN_APPLY(bf16, bf16, 1)
GN_APPLY(bf16, bf16, 4)
GN_APPLY(bf16, bf16, 8)
