// convert: dst[r, c] = (Dst) src[r, c] for a 2D row-strided matrix, any of f32/bf16/f16 to any.
#include "common.cuh"

// Grid: x over column blocks of blockDim.x, y over rows (grid-stride when rows > gridDim.y).
template <typename S, typename D>
__device__ void convert_impl(D* __restrict__ dst, long long ldDst, const S* __restrict__ src, long long ldSrc,
                             long long rows, long long cols) {
    long long c = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    for (long long r = blockIdx.y; r < rows; r += gridDim.y) {
        dst[r * ldDst + c] = from_f32<D>(to_f32(src[r * ldSrc + c]));
    }
}

/*
 * convert_<src>_to_<dst>(void* dst, long long ldDst, const void* src, long long ldSrc,
 *                        long long rows, long long cols)
 *   dst [rows, cols] with row stride ldDst (elements); src [rows, cols] with row stride ldSrc.
 */
#define CONVERT(SN, ST, DN, DT)                                                                     \
    extern "C" __global__ void convert_##SN##_to_##DN(DT* dst, long long ldDst, const ST* src,     \
                                                      long long ldSrc, long long rows, long long cols) { \
        convert_impl<ST, DT>(dst, ldDst, src, ldSrc, rows, cols);                                   \
    }
CONVERT(f32, float, f32, float)
CONVERT(f32, float, bf16, bf16)
CONVERT(f32, float, f16, f16)
CONVERT(bf16, bf16, f32, float)
CONVERT(bf16, bf16, bf16, bf16)
CONVERT(bf16, bf16, f16, f16)
CONVERT(f16, f16, f32, float)
CONVERT(f16, f16, bf16, bf16)
CONVERT(f16, f16, f16, f16)
