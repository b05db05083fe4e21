// upsample_nearest2x: nearest-neighbour upsampling by 2 of a channels-last image, out[2H, 2W, C] with
// out[2h + i, 2w + j, :] = x[h, w, :] for i, j in {0, 1}. A pure copy, so the kernels move units of 16, 8, 4
// or 2 bytes whatever the dtype: each thread reads one unit of an input pixel and stores it four times.
#include "common.cuh"

template <typename U>
__device__ __forceinline__ void upsample2x_impl(U* __restrict__ out, const U* __restrict__ x, long long H, int W,
                                                int cu) {
    const int rowUnits = W * cu;  // units per input image row
    for (long long h = blockIdx.y; h < H; h += gridDim.y) {
        const U* xr = x + h * rowUnits;
        U* o0 = out + 2 * h * (2LL * rowUnits);
        U* o1 = o0 + 2LL * rowUnits;
        for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < rowUnits; i += gridDim.x * blockDim.x) {
            const int w = i / cu, c = i - w * cu;
            const U val = xr[i];
            const int o = 2 * w * cu + c;
            o0[o] = val;
            o0[o + cu] = val;
            o1[o] = val;
            o1[o + cu] = val;
        }
    }
}

/*
 * upsample_nearest2x_b<N>(U* out, const U* x, long long H, int W, int cu)
 *   N-byte units (U = uint4, uint2, unsigned, unsigned short), cu units per pixel (C * elementBytes / N),
 *   x [H, W, cu] and out [2H, 2W, cu] contiguous and N-byte aligned.
 *   grid (ceil(W * cu / 256), min(H, 65535)), block 256.
 */
#define UPSAMPLE2X(N, U)                                                                                       \
    extern "C" __global__ void upsample_nearest2x_b##N(U* out, const U* x, long long H, int W, int cu) {      \
        upsample2x_impl<U>(out, x, H, W, cu);                                                                  \
    }
UPSAMPLE2X(16, uint4)
UPSAMPLE2X(8, uint2)
UPSAMPLE2X(4, unsigned)
UPSAMPLE2X(2, unsigned short)
