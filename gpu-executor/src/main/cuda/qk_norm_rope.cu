// qk_norm_rope: split a fused projection qkv [S, 3*H*Dh] into heads, RMSNorm q and k per head
// (fp32 statistics, weights normQ/normK [Dh]), rotate q and k with cos/sin [S, Dh] (pairs (2i, 2i+1):
//   o[2i] = x[2i]*cos[2i] - x[2i+1]*sin[2i],  o[2i+1] = x[2i+1]*cos[2i+1] + x[2i]*sin[2i+1]),
// and write q, k, v into head-major buffers at rows seqOffset + s. The destination layout is
//   (s, h) -> (h / hpg) * gs + (h % hpg) * hs + (seqOffset + s) * rs     (elements)
// contiguous [H, Stot, Dh] is hpg = H, gs = 0, hs = Stot * Dh, rs = Dh; Ulysses' peer window puts each
// group of hpg heads into its owner's part (gs = part stride) with q, k, v interleaved per row.
// Rounding follows diffusers: RMSNorm output is rounded to the storage dtype before the weight is
// applied (and rounded again), rotary math runs in fp32 and rounds once.
// One warp per (token, head); each lane owns pairs lane, lane+32, ...
#include "common.cuh"

template <typename T, typename R>
__device__ void qknr_impl(const T* __restrict__ qkv, long long ldQkv, const T* __restrict__ normQ,
                          const T* __restrict__ normK, float eps, const R* __restrict__ cosT, long long ldCos,
                          const R* __restrict__ sinT, long long ldSin, T* __restrict__ q, T* __restrict__ k,
                          T* __restrict__ v, int S, int H, int Dh, int hpg, long long gs, long long hs,
                          long long rs, long long seqOffset) {
    const long long warp = ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    const int lane = threadIdx.x & 31;
    if (warp >= (long long)S * H) return;
    const int s = (int)(warp / H), h = (int)(warp % H);
    const T* row = qkv + (long long)s * ldQkv;
    const T* qs = row + (long long)h * Dh;
    const T* ks = row + (long long)(H + h) * Dh;
    const T* vs = row + (long long)(2 * H + h) * Dh;
    const long long dstOff = (long long)(h / hpg) * gs + (long long)(h % hpg) * hs + (seqOffset + s) * rs;
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
 *                          T* q, T* k, T* v, int S, int H, int Dh, int hpg, long long gs, long long hs,
 *                          long long rs, long long seqOffset)
 *   qkv [S, 3*H*Dh] row stride ldQkv; normQ/normK [Dh]; cos/sin [S, Dh] row strides ldCos/ldSin;
 *   q, k, v: the layout above, one set of strides for all three. Dh even. One warp per (s, h):
 *   grid ceil(S*H*32 / block).
 */
#define QKNR(TN, T, RN, R)                                                                                   \
    extern "C" __global__ void qk_norm_rope_##TN##_rope##RN(                                                \
        const T* qkv, long long ldQkv, const T* normQ, const T* normK, float eps, const R* cosT,            \
        long long ldCos, const R* sinT, long long ldSin, T* q, T* k, T* v, int S, int H, int Dh, int hpg,  \
        long long gs, long long hs, long long rs, long long seqOffset) {                                    \
        qknr_impl<T, R>(qkv, ldQkv, normQ, normK, eps, cosT, ldCos, sinT, ldSin, q, k, v, S, H, Dh, hpg, gs, \
                        hs, rs, seqOffset);                                                                 \
    }
QKNR(f32, float, f32, float)
QKNR(bf16, bf16, f32, float)
QKNR(bf16, bf16, bf16, bf16)

// Four consecutive elements of a row as fp32 (16 bytes of fp32 or 8 bytes of bf16, one load).
__device__ __forceinline__ void load4(const float* p, float* f) {
    const float4 v = *reinterpret_cast<const float4*>(p);
    f[0] = v.x; f[1] = v.y; f[2] = v.z; f[3] = v.w;
}
__device__ __forceinline__ void load4(const bf16* p, float* f) {
    const uint2 v = *reinterpret_cast<const uint2*>(p);
    const float2 a = __bfloat1622float2(*reinterpret_cast<const __nv_bfloat162*>(&v.x));
    const float2 b = __bfloat1622float2(*reinterpret_cast<const __nv_bfloat162*>(&v.y));
    f[0] = a.x; f[1] = a.y; f[2] = b.x; f[3] = b.y;
}
__device__ __forceinline__ void store4(bf16* p, float a, float b, float c, float d) {
    uint2 v;
    *reinterpret_cast<__nv_bfloat162*>(&v.x) = __floats2bfloat162_rn(a, b);
    *reinterpret_cast<__nv_bfloat162*>(&v.y) = __floats2bfloat162_rn(c, d);
    *reinterpret_cast<uint2*>(p) = v;
}

// Four elements (two rotary pairs) of one q or k row: RMS-normalised by r, weighted by w (each step rounded
// to bf16, as qknr_impl), rotated by c / sn, stored as 4 bf16.
__device__ __forceinline__ void norm_rope4(bf16* dst, const float* x, float r, const float* w, const float* c,
                                           const float* sn) {
    float o[4];
#pragma unroll
    for (int p = 0; p < 4; p += 2) {
        const float a = round_to<bf16>(round_to<bf16>(x[p] * r) * w[p]);
        const float b = round_to<bf16>(round_to<bf16>(x[p + 1] * r) * w[p + 1]);
        o[p] = a * c[p] - b * sn[p];
        o[p + 1] = b * c[p + 1] + a * sn[p + 1];
    }
    store4(dst, o[0], o[1], o[2], o[3]);
}

// Dh = 128, bf16: lane l owns elements 4l .. 4l + 3 (rotary pairs 2l and 2l + 1) and reads q, k, v, cos
// and sin of them with one load each, so a warp has its whole (token, head) in flight at once instead of
// two dependent passes of 4-byte loads. Same rounding as qknr_impl; the RMS sum is reduced in another
// order (fp32, last-bit differences).
template <typename R>
__device__ void qknr_d128_impl(const bf16* __restrict__ qkv, long long ldQkv, const bf16* __restrict__ normQ,
                               const bf16* __restrict__ normK, float eps, const R* __restrict__ cosT, long long ldCos,
                               const R* __restrict__ sinT, long long ldSin, bf16* __restrict__ q,
                               bf16* __restrict__ k, bf16* __restrict__ v, int S, int H, int hpg,
                               long long gs, long long hs, long long rs, long long seqOffset) {
    const long long warp = ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    const int lane = threadIdx.x & 31;
    if (warp >= (long long)S * H) return;
    const int s = (int)(warp / H), h = (int)(warp % H);
    const int e = 4 * lane;
    const bf16* row = qkv + (long long)s * ldQkv;
    float xq[4], xk[4], c[4], sn[4], wq[4], wk[4];
    load4(row + (long long)h * 128 + e, xq);
    load4(row + (long long)(H + h) * 128 + e, xk);
    const uint2 rawV = *reinterpret_cast<const uint2*>(row + (long long)(2 * H + h) * 128 + e);
    load4(cosT + (long long)s * ldCos + e, c);
    load4(sinT + (long long)s * ldSin + e, sn);
    load4(normQ + e, wq);
    load4(normK + e, wk);
    float sq = 0.f, sk = 0.f;
#pragma unroll
    for (int i = 0; i < 4; i++) {
        sq += xq[i] * xq[i];
        sk += xk[i] * xk[i];
    }
    const float rq = rsqrtf(warp_sum(sq) / 128 + eps);
    const float rk = rsqrtf(warp_sum(sk) / 128 + eps);
    const long long dstOff = (long long)(h / hpg) * gs + (long long)(h % hpg) * hs + (seqOffset + s) * rs + e;
    norm_rope4(q + dstOff, xq, rq, wq, c, sn);
    norm_rope4(k + dstOff, xk, rk, wk, c, sn);
    *reinterpret_cast<uint2*>(v + dstOff) = rawV;
}

/*
 * qk_norm_rope_bf16_d128_rope<r>: qk_norm_rope_bf16_rope<r> for Dh = 128 with vector loads and stores
 * (same arguments minus Dh). Needs ldQkv, gs, hs, rs % 4 == 0 and qkv, normQ/normK, q/k/v 8-byte aligned
 * (8-byte loads and stores of 4 bf16), cos/sin rows 16-byte (f32) or 8-byte (bf16) aligned. One warp per
 * (s, h).
 */
#define QKNR_D128(RN, R)                                                                                     \
    extern "C" __global__ void qk_norm_rope_bf16_d128_rope##RN(                                             \
        const bf16* qkv, long long ldQkv, const bf16* normQ, const bf16* normK, float eps, const R* cosT,  \
        long long ldCos, const R* sinT, long long ldSin, bf16* q, bf16* k, bf16* v, int S, int H, int hpg, \
        long long gs, long long hs, long long rs, long long seqOffset) {                                    \
        qknr_d128_impl<R>(qkv, ldQkv, normQ, normK, eps, cosT, ldCos, sinT, ldSin, q, k, v, S, H, hpg, gs,  \
                          hs, rs, seqOffset);                                                               \
    }
QKNR_D128(f32, float)
QKNR_D128(bf16, bf16)
