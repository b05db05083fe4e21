// qk_norm_rope: split a fused projection qkv [S, 3*H*Dh] into heads, RMSNorm q and k per head
// (fp32 statistics, weights normQ/normK [Dh]), rotate q and k with cos/sin [S, Dh] (pairs (2i, 2i+1):
//   o[2i] = x[2i]*cos[2i] - x[2i+1]*sin[2i],  o[2i+1] = x[2i+1]*cos[2i+1] + x[2i]*sin[2i+1]),
// and write q, k, v into head-major [H, Stot, Dh] buffers at rows seqOffset + s.
// Rounding follows diffusers: RMSNorm output is rounded to the storage dtype before the weight is
// applied (and rounded again), rotary math runs in fp32 and rounds once.
// One warp per (token, head); each lane owns pairs lane, lane+32, ...
#include "common.cuh"

template <typename T, typename R>
__device__ void qknr_impl(const T* __restrict__ qkv, long long ldQkv, const T* __restrict__ normQ,
                          const T* __restrict__ normK, float eps, const R* __restrict__ cosT, long long ldCos,
                          const R* __restrict__ sinT, long long ldSin, T* __restrict__ q, T* __restrict__ k,
                          T* __restrict__ v, int S, int H, int Dh, long long Stot, long long seqOffset) {
    const long long warp = ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    const int lane = threadIdx.x & 31;
    if (warp >= (long long)S * H) return;
    const int s = (int)(warp / H), h = (int)(warp % H);
    const T* row = qkv + (long long)s * ldQkv;
    const T* qs = row + (long long)h * Dh;
    const T* ks = row + (long long)(H + h) * Dh;
    const T* vs = row + (long long)(2 * H + h) * Dh;
    const long long dstOff = ((long long)h * Stot + seqOffset + s) * Dh;
    const int pairs = Dh >> 1;

    float sq = 0.f, sk = 0.f;
    for (int p = lane; p < pairs; p += 32) {
        float a = to_f32(qs[2 * p]), b = to_f32(qs[2 * p + 1]);
        float c = to_f32(ks[2 * p]), d = to_f32(ks[2 * p + 1]);
        sq += a * a + b * b;
        sk += c * c + d * d;
    }
    const float rq = rsqrtf(warp_sum(sq) / Dh + eps);
    const float rk = rsqrtf(warp_sum(sk) / Dh + eps);
    const R* cr = cosT + (long long)s * ldCos;
    const R* sr = sinT + (long long)s * ldSin;
    for (int p = lane; p < pairs; p += 32) {
        const int i0 = 2 * p, i1 = 2 * p + 1;
        const float c0 = to_f32(cr[i0]), c1 = to_f32(cr[i1]), s0 = to_f32(sr[i0]), s1 = to_f32(sr[i1]);
        float a = round_to<T>(round_to<T>(to_f32(qs[i0]) * rq) * to_f32(normQ[i0]));
        float b = round_to<T>(round_to<T>(to_f32(qs[i1]) * rq) * to_f32(normQ[i1]));
        q[dstOff + i0] = from_f32<T>(a * c0 - b * s0);
        q[dstOff + i1] = from_f32<T>(b * c1 + a * s1);
        a = round_to<T>(round_to<T>(to_f32(ks[i0]) * rk) * to_f32(normK[i0]));
        b = round_to<T>(round_to<T>(to_f32(ks[i1]) * rk) * to_f32(normK[i1]));
        k[dstOff + i0] = from_f32<T>(a * c0 - b * s0);
        k[dstOff + i1] = from_f32<T>(b * c1 + a * s1);
        v[dstOff + i0] = vs[i0];
        v[dstOff + i1] = vs[i1];
    }
}

/*
 * qk_norm_rope_<t>_rope<r>(const T* qkv, long long ldQkv, const T* normQ, const T* normK, float eps,
 *                          const R* cos, long long ldCos, const R* sin, long long ldSin,
 *                          T* q, T* k, T* v, int S, int H, int Dh, long long Stot, long long seqOffset)
 *   qkv [S, 3*H*Dh] row stride ldQkv; normQ/normK [Dh]; cos/sin [S, Dh] row strides ldCos/ldSin;
 *   q, k, v contiguous [H, Stot, Dh]. Dh even. One warp per (s, h): grid ceil(S*H*32 / block).
 */
#define QKNR(TN, T, RN, R)                                                                                   \
    extern "C" __global__ void qk_norm_rope_##TN##_rope##RN(                                                \
        const T* qkv, long long ldQkv, const T* normQ, const T* normK, float eps, const R* cosT,            \
        long long ldCos, const R* sinT, long long ldSin, T* q, T* k, T* v, int S, int H, int Dh,           \
        long long Stot, long long seqOffset) {                                                              \
        qknr_impl<T, R>(qkv, ldQkv, normQ, normK, eps, cosT, ldCos, sinT, ldSin, q, k, v, S, H, Dh, Stot,    \
                        seqOffset);                                                                         \
    }
QKNR(f32, float, f32, float)
QKNR(bf16, bf16, f32, float)
QKNR(bf16, bf16, bf16, bf16)
