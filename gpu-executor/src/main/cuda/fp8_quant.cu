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
