// fill_random: dst[i] = offset + scale * u_i, u_i uniform in [-1, 1) from a counter-based hash of
// (seed, i), so a 23 GiB random model is made on the device in milliseconds and the same seed gives
// the same weights on every GPU and every run. Benchmarks only; weights for real runs come from files.
#include "common.cuh"

__device__ __forceinline__ unsigned long long splitmix64(unsigned long long x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

template <typename T>
__device__ void fill_random_impl(T* dst, long long n, unsigned long long seed, float offset, float scale) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        unsigned long long h = splitmix64(seed ^ splitmix64((unsigned long long)i));
        float u = (float)(h >> 40) * (1.0f / 16777216.0f);  // 24 random bits in [0, 1)
        dst[i] = from_f32<T>(offset + scale * (2.f * u - 1.f));
    }
}

/* fill_random_<t>(T* dst, long long n, unsigned long long seed, float offset, float scale)
 * grid-stride over n contiguous elements. */
extern "C" __global__ void fill_random_f32(float* dst, long long n, unsigned long long seed, float offset,
                                           float scale) {
    fill_random_impl(dst, n, seed, offset, scale);
}
extern "C" __global__ void fill_random_bf16(bf16* dst, long long n, unsigned long long seed, float offset,
                                            float scale) {
    fill_random_impl(dst, n, seed, offset, scale);
}
