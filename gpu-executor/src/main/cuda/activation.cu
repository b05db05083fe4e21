// activation: out[r, c] = act(x[r, c]); act 0 NONE, 1 SILU (x*sigmoid(x)), 2 GELU_TANH, 3 QUICK_GELU
// (x*sigmoid(1.702x)). fp32 math, accurate expf/tanhf.
#include "common.cuh"

template <typename T>
__device__ void activation_impl(T* out, long long ldo, const T* x, long long ldx, long long rows, long long cols,
                                int act) {
    long long c = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    for (long long r = blockIdx.y; r < rows; r += gridDim.y) {
        out[r * ldo + c] = from_f32<T>(apply_act(to_f32(x[r * ldx + c]), act));
    }
}

/*
 * activation_<t>(T* out, long long ldo, const T* x, long long ldx, long long rows, long long cols, int act)
 *   grid (ceil(cols/block), min(rows, 65535)); in place allowed (out == x, ldo == ldx).
 */
extern "C" __global__ void activation_f32(float* out, long long ldo, const float* x, long long ldx, long long rows,
                                          long long cols, int act) {
    activation_impl(out, ldo, x, ldx, rows, cols, act);
}
extern "C" __global__ void activation_bf16(bf16* out, long long ldo, const bf16* x, long long ldx, long long rows,
                                           long long cols, int act) {
    activation_impl(out, ldo, x, ldx, rows, cols, act);
}
