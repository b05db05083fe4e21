// mul: out[r, c] = a[r, c] * b[r, c] over 2D row-strided matrices of one dtype (fp32 arithmetic, one rounding):
// T5's gated feed-forward, gelu(x W0) * (x W1).
#include "common.cuh"

template <typename T>
__device__ void mul_impl(T* out, long long ldo, const T* a, long long lda, const T* b, long long ldb,
                         long long rows, long long cols) {
    long long c = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    for (long long r = blockIdx.y; r < rows; r += gridDim.y) {
        out[r * ldo + c] = from_f32<T>(to_f32(a[r * lda + c]) * to_f32(b[r * ldb + c]));
    }
}

/*
 * mul_<t>(T* out, long long ldo, const T* a, long long lda, const T* b, long long ldb,
 *         long long rows, long long cols)     grid (ceil(cols/block), min(rows, 65535)); in place allowed
 */
extern "C" __global__ void mul_f32(float* out, long long ldo, const float* a, long long lda, const float* b,
                                   long long ldb, long long rows, long long cols) {
    mul_impl(out, ldo, a, lda, b, ldb, rows, cols);
}
extern "C" __global__ void mul_bf16(bf16* out, long long ldo, const bf16* a, long long lda, const bf16* b,
                                    long long ldb, long long rows, long long cols) {
    mul_impl(out, ldo, a, lda, b, ldb, rows, cols);
}
