// fp8_quant: e4m3 quantisation of a [S, H, Dh] bf16 tensor for FP8 all-to-all, one fp32 scale per
// (token, head): scale = amax / 448 (0 for an all-zero head), q = satfinite_e4m3(x / scale).
// Dequantisation: x = float(q) * scale. One warp per (token, head).
#include "common.cuh"

/*
 * fp8_quantize_bf16(unsigned char* q, float* scale, const bf16* x, long long rows, int Dh)
 *   x, q contiguous [rows = S*H, Dh]; scale [rows]. grid ceil(rows*32 / block).
 */
extern "C" __global__ void fp8_quantize_bf16(__nv_fp8_storage_t* q, float* scale, const bf16* x, long long rows,
                                             int Dh) {
    const long long r = ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    const int lane = threadIdx.x & 31;
    if (r >= rows) return;
    const bf16* xr = x + r * Dh;
    float amax = 0.f;
    for (int d = lane; d < Dh; d += 32) amax = fmaxf(amax, fabsf(to_f32(xr[d])));
    amax = warp_max(amax);
    const float sc = amax / 448.f;
    const float inv = amax > 0.f ? 448.f / amax : 0.f;
    __nv_fp8_storage_t* qr = q + r * Dh;
    for (int d = lane; d < Dh; d += 32) {
        qr[d] = __nv_cvt_float_to_fp8(to_f32(xr[d]) * inv, __NV_SATFINITE, __NV_E4M3);
    }
    if (lane == 0) scale[r] = sc;
}

/*
 * fp8_dequantize_bf16(bf16* x, const unsigned char* q, const float* scale, long long rows, int Dh)
 *   inverse of fp8_quantize_bf16: x[r, d] = e4m3(q[r, d]) * scale[r]. grid ceil(rows*Dh / block).
 */
extern "C" __global__ void fp8_dequantize_bf16(bf16* x, const __nv_fp8_storage_t* q, const float* scale,
                                               long long rows, int Dh) {
    const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= rows * Dh) return;
    const __half_raw hr = __nv_cvt_fp8_to_halfraw(q[i], __NV_E4M3);
    x[i] = from_f32<bf16>(__half2float(__half(hr)) * scale[i / Dh]);
}

/*
 * fp8_quantize_rows_bf16(unsigned char* q, float* scale, const bf16* x, long long rows, int K)
 *   FP8 GEMM operands: one scale per row of x [rows, K] (contiguous, K % 8 == 0, 16-byte aligned),
 *   scale = amax / 448 (0 for an all-zero row). One block of 256 threads per row, 16-byte loads.
 *   Rows up to 16384 elements are loaded into registers at once (8 vectors per thread), so every load
 *   of the row is in flight together and the row is read once; longer rows loop and re-read.
 *   fp8_quantize_rows_bf16_short: the same with 2 vectors per thread, for rows up to 4096 elements.
 *   grid (rows), block 256.
 */
namespace {
constexpr int kRowThreads = 256;
constexpr int kRowVecs = 8;

__device__ __forceinline__ uint2 to_e4m3x8(const uint4& v, float inv) {
    float f[8];
    unpack8(v, f);
    unsigned int w[2];
#pragma unroll
    for (int h = 0; h < 2; h++) {
        const __nv_fp8x2_storage_t lo = __nv_cvt_float2_to_fp8x2(make_float2(f[4 * h] * inv, f[4 * h + 1] * inv),
                                                                 __NV_SATFINITE, __NV_E4M3);
        const __nv_fp8x2_storage_t hi = __nv_cvt_float2_to_fp8x2(make_float2(f[4 * h + 2] * inv, f[4 * h + 3] * inv),
                                                                 __NV_SATFINITE, __NV_E4M3);
        w[h] = (unsigned int)lo | ((unsigned int)hi << 16);
    }
    return make_uint2(w[0], w[1]);
}

__device__ __forceinline__ float amax8(const uint4& v) {
    float f[8];
    unpack8(v, f);
    float m = 0.f;
#pragma unroll
    for (int j = 0; j < 8; j++) m = fmaxf(m, fabsf(f[j]));
    return m;
}

__device__ __forceinline__ float block_max(float v, float* red) {
    v = warp_max(v);
    if ((threadIdx.x & 31) == 0) red[threadIdx.x >> 5] = v;
    __syncthreads();
    float m = red[0];
#pragma unroll
    for (int w = 1; w < kRowThreads / 32; w++) m = fmaxf(m, red[w]);
    return m;
}
}  // namespace

template <int VECS>
__device__ __forceinline__ void quantize_row(__nv_fp8_storage_t* q, float* scale, const bf16* x, int K, float* red) {
    const long long r = blockIdx.x;
    const uint4* xr = reinterpret_cast<const uint4*>(x + r * K);
    uint2* qr = reinterpret_cast<uint2*>(q + r * K);
    const int vecs = K >> 3;
    float amax = 0.f;
    if (vecs <= VECS * kRowThreads) {
        uint4 v[VECS];
#pragma unroll
        for (int j = 0; j < VECS; j++) {
            const int i = threadIdx.x + j * kRowThreads;
            v[j] = i < vecs ? xr[i] : make_uint4(0, 0, 0, 0);
        }
#pragma unroll
        for (int j = 0; j < VECS; j++) amax = fmaxf(amax, amax8(v[j]));
        amax = block_max(amax, red);
        const float inv = amax > 0.f ? 448.f / amax : 0.f;
#pragma unroll
        for (int j = 0; j < VECS; j++) {
            const int i = threadIdx.x + j * kRowThreads;
            if (i < vecs) qr[i] = to_e4m3x8(v[j], inv);
        }
    } else {
        for (int i = threadIdx.x; i < vecs; i += kRowThreads) amax = fmaxf(amax, amax8(xr[i]));
        amax = block_max(amax, red);
        const float inv = amax > 0.f ? 448.f / amax : 0.f;
        for (int i = threadIdx.x; i < vecs; i += kRowThreads) qr[i] = to_e4m3x8(xr[i], inv);
    }
    if (threadIdx.x == 0) scale[r] = amax / 448.f;
}

extern "C" __global__ void __launch_bounds__(kRowThreads) fp8_quantize_rows_bf16(
        __nv_fp8_storage_t* q, float* scale, const bf16* x, long long rows, int K) {
    __shared__ float red[kRowThreads / 32];
    quantize_row<kRowVecs>(q, scale, x, K, red);
}

/* The same for rows of up to 4096 elements: 2 vectors per thread, fewer registers, more blocks per SM. */
extern "C" __global__ void __launch_bounds__(kRowThreads) fp8_quantize_rows_bf16_short(
        __nv_fp8_storage_t* q, float* scale, const bf16* x, long long rows, int K) {
    __shared__ float red[kRowThreads / 32];
    quantize_row<2>(q, scale, x, K, red);
}
