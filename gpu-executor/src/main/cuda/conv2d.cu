// conv2d: the convolution itself is cuDNN's (Conv2d.java); this file holds its bias epilogue,
// out[p, c] += bias[c] in place over the contiguous channels-last output [P, Cout], fp32 arithmetic, one
// rounding (as PyTorch adds the bias of a cuDNN convolution: a separate pass in the output dtype).
#include "vec_io.cuh"

template <typename T, int V>
__device__ __forceinline__ void conv2d_bias_impl(T* __restrict__ out, long long n, int cols,
                                                 const T* __restrict__ bias) {
    const long long units = n / V;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < units;
         i += (long long)gridDim.x * blockDim.x) {
        const int c = (int)((i * V) % cols);
        float f[V], b[V];
        load_vec<T, V>(out + i * V, f);
        load_vec<T, V>(bias + c, b);
#pragma unroll
        for (int j = 0; j < V; j++) f[j] += b[j];
        store_vec<T, V>(out + i * V, f);
    }
}

/*
 * conv2d_bias_<t>[_vec](T* out, long long n, int cols, const T* bias)
 *   out: n = P * cols contiguous elements; bias [cols]. _vec: 16-byte units (8 bf16 / 4 fp32), needs
 *   cols % V == 0 and 16-byte aligned out and bias. grid (min(ceil(n / V / 256), 65535 * 16)), block 256.
 */
#define CONV_BIAS(TN, T, V)                                                                                    \
    extern "C" __global__ void conv2d_bias_##TN(T* out, long long n, int cols, const T* bias) {               \
        conv2d_bias_impl<T, 1>(out, n, cols, bias);                                                            \
    }                                                                                                          \
    extern "C" __global__ void conv2d_bias_##TN##_vec(T* out, long long n, int cols, const T* bias) {         \
        conv2d_bias_impl<T, V>(out, n, cols, bias);                                                            \
    }
CONV_BIAS(f32, float, 4)
CONV_BIAS(bf16, bf16, 8)
