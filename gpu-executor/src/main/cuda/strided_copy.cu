// strided_copy: dst[i0..i5] = src[i0..i5] for two views of the same shape and element type, rank <= 6,
// in units of 1-16 bytes (the Java planner, CopyLayout, merges dimensions and picks the widest unit
// that every stride, the innermost extent and both addresses allow). One launch replaces the per-row
// 2D memcpys that sequence-parallel packing (Ulysses q/k/v and output) used to need.
#include "common.cuh"

#define STRIDED_COPY_MAX_RANK 6

/** Extents and strides (in units), outermost first; dims past `rank` are unused. Passed by value. */
struct CopyDims {
    long long size[STRIDED_COPY_MAX_RANK];
    long long dst[STRIDED_COPY_MAX_RANK];
    long long src[STRIDED_COPY_MAX_RANK];
};

// I is the index type: 32-bit when the unit count is below 2^31, so that i + step cannot wrap. Integer
// division by a runtime divisor costs about three times less at 32 bits, and this kernel does one per
// dimension per unit.
template <typename U, typename I>
__device__ __forceinline__ void strided_copy_impl(U* __restrict__ dst, const U* __restrict__ src, const CopyDims& d,
                                                  int rank, I total) {
    const I step = (I)gridDim.x * blockDim.x;
    for (I i = (I)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += step) {
        I rest = i;
        long long so = 0, dof = 0;
#pragma unroll
        for (int k = STRIDED_COPY_MAX_RANK - 1; k >= 0; --k) {
            if (k < rank) {
                const I n = (I)d.size[k];
                const I c = rest % n;
                rest /= n;
                so += (long long)c * d.src[k];
                dof += (long long)c * d.dst[k];
            }
        }
        dst[dof] = src[so];
    }
}

/*
 * strided_copy_b<N>(void* dst, const void* src, CopyDims dims, int rank, long long total)
 *   N = unit bytes (16, 8, 4, 2, 1); total = product of dims.size[0..rank) units.
 *   Grid-stride over the flat index in row-major order of `size`, so consecutive threads touch
 *   consecutive units of the innermost dimension (stride 1 on both sides after planning).
 */
#define STRIDED_COPY(N, U)                                                                              \
    extern "C" __global__ void strided_copy_b##N(U* dst, const U* src, CopyDims dims, int rank,         \
                                                 long long total) {                                     \
        if (total <= 0x7fffffffLL) {                                                                    \
            strided_copy_impl<U, unsigned>(dst, src, dims, rank, (unsigned)total);                      \
        } else {                                                                                        \
            strided_copy_impl<U, unsigned long long>(dst, src, dims, rank, (unsigned long long)total);  \
        }                                                                                               \
    }
STRIDED_COPY(16, uint4)
STRIDED_COPY(8, uint2)
STRIDED_COPY(4, unsigned)
STRIDED_COPY(2, unsigned short)
STRIDED_COPY(1, unsigned char)
