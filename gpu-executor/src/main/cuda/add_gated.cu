// add_gated: x[r, c] += gate[c] * y[r, c], in place (the gated residual of DiT blocks). fp32 math, one rounding.
#include "common.cuh"

template <typename T>
__device__ void add_gated_impl(T* x, long long ldx, const T* y, long long ldy, const T* gate, long long rows,
                               long long cols) {
    long long c = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    const float g = to_f32(gate[c]);
    for (long long r = blockIdx.y; r < rows; r += gridDim.y) {
        T* p = x + r * ldx + c;
        *p = from_f32<T>(to_f32(*p) + g * to_f32(y[r * ldy + c]));
    }
}

/*
 * add_gated_<t>(T* x, long long ldx, const T* y, long long ldy, const T* gate, long long rows, long long cols)
 *   x, y [rows, cols] row-strided; gate [cols] contiguous. grid (ceil(cols/block), min(rows, 65535)).
 */
extern "C" __global__ void add_gated_f32(float* x, long long ldx, const float* y, long long ldy, const float* gate,
                                         long long rows, long long cols) {
    add_gated_impl(x, ldx, y, ldy, gate, rows, cols);
}
extern "C" __global__ void add_gated_bf16(bf16* x, long long ldx, const bf16* y, long long ldy, const bf16* gate,
                                          long long rows, long long cols) {
    add_gated_impl(x, ldx, y, ldy, gate, rows, cols);
}

/*
 * add_gated_bf16_vec8: as add_gated_bf16 with 16-byte loads and stores (8 columns per thread, the gate
 * vector loaded once per thread). Needs cols % 8 == 0, ldx % 8 == 0, ldy % 8 == 0 and 16-byte aligned
 * x, y, gate. grid (ceil(cols / 8 / block), min(rows, 65535)). Same fp32 math and rounding as add_gated_bf16.
 */
extern "C" __global__ void add_gated_bf16_vec8(bf16* x, long long ldx, const bf16* y, long long ldy, const bf16* gate,
                                               long long rows, long long cols) {
    const long long c = ((long long)blockIdx.x * blockDim.x + threadIdx.x) * 8;
    if (c >= cols) return;
    float g[8];
    unpack8(*reinterpret_cast<const uint4*>(gate + c), g);
    for (long long r = blockIdx.y; r < rows; r += gridDim.y) {
        uint4* px = reinterpret_cast<uint4*>(x + r * ldx + c);
        uint4 xv = *px;
        const uint4 yv = *reinterpret_cast<const uint4*>(y + r * ldy + c);
        __nv_bfloat162* x2 = reinterpret_cast<__nv_bfloat162*>(&xv);
        const __nv_bfloat162* y2 = reinterpret_cast<const __nv_bfloat162*>(&yv);
#pragma unroll
        for (int i = 0; i < 4; i++) {
            const float2 a = __bfloat1622float2(x2[i]), b = __bfloat1622float2(y2[i]);
            x2[i] = __floats2bfloat162_rn(a.x + g[2 * i] * b.x, a.y + g[2 * i + 1] * b.y);
        }
        *px = xv;
    }
}
