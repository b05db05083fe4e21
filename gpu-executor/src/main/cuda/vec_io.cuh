// Vector loads and stores of V consecutive elements of a storage type as fp32, for kernels that take
// 16-byte (or 8-byte) vectors where the launcher has checked alignment. V = 1 is a plain scalar access.
#pragma once
#include "common.cuh"

/** V elements of T in one aligned access (16 bytes for 8 bf16 or 4 fp32; 8 bytes for 4 bf16). */
template <typename T, int V>
struct alignas(sizeof(T) * V) VecPack {
    T v[V];
};

template <typename T, int V>
__device__ __forceinline__ void load_vec(const T* p, float* f) {
    const VecPack<T, V> pk = *reinterpret_cast<const VecPack<T, V>*>(p);
#pragma unroll
    for (int i = 0; i < V; i++) f[i] = to_f32(pk.v[i]);
}

template <typename T, int V>
__device__ __forceinline__ void store_vec(T* p, const float* f) {
    VecPack<T, V> pk;
#pragma unroll
    for (int i = 0; i < V; i++) pk.v[i] = from_f32<T>(f[i]);
    *reinterpret_cast<VecPack<T, V>*>(p) = pk;
}
