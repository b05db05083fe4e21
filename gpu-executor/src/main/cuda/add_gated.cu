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
