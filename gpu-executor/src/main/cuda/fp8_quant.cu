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
 *   scale = amax / 448 (0 for an all-zero row). One block of 256 threads per row, 16-byte loads; the
 *   second pass re-reads the row from L1/L2. grid (rows), block 256.
 */
extern "C" __global__ void __launch_bounds__(256) fp8_quantize_rows_bf16(__nv_fp8_storage_t* q, float* scale,
                                                                         const bf16* x, long long rows, int K) {
    __shared__ float red[8];
    const long long r = blockIdx.x;
    const uint4* xr = reinterpret_cast<const uint4*>(x + r * K);
    const int vecs = K >> 3;
    float amax = 0.f;
    for (int i = threadIdx.x; i < vecs; i += 256) {
        float f[8];
        unpack8(xr[i], f);
#pragma unroll
        for (int j = 0; j < 8; j++) amax = fmaxf(amax, fabsf(f[j]));
    }
    amax = warp_max(amax);
    if ((threadIdx.x & 31) == 0) red[threadIdx.x >> 5] = amax;
    __syncthreads();
    amax = red[0];
#pragma unroll
    for (int w = 1; w < 8; w++) amax = fmaxf(amax, red[w]);
    const float inv = amax > 0.f ? 448.f / amax : 0.f;
    uint2* qr = reinterpret_cast<uint2*>(q + r * K);
    for (int i = threadIdx.x; i < vecs; i += 256) {
        float f[8];
        unpack8(xr[i], f);
        unsigned int w[2];
#pragma unroll
        for (int h = 0; h < 2; h++) {
            const __nv_fp8x2_storage_t lo = __nv_cvt_float2_to_fp8x2(make_float2(f[4 * h] * inv, f[4 * h + 1] * inv),
                                                                     __NV_SATFINITE, __NV_E4M3);
            const __nv_fp8x2_storage_t hi = __nv_cvt_float2_to_fp8x2(make_float2(f[4 * h + 2] * inv, f[4 * h + 3] * inv),
                                                                     __NV_SATFINITE, __NV_E4M3);
            w[h] = (unsigned int)lo | ((unsigned int)hi << 16);
        }
        qr[i] = make_uint2(w[0], w[1]);
    }
    if (threadIdx.x == 0) scale[r] = amax / 448.f;
}
