// embedding: out[s, :] = table[ids[s], :] (T5's and CLIP's token embeddings; CLIP's position embedding is a
// row range of its table). ids are I32 on the device. A copy, so the kernels move units of 16, 8, 4 or 2 bytes
// whatever the dtype. An id outside [0, rows) is never dereferenced: its output row is filled with all-ones
// bytes, which is NaN in f32, bf16 and f16, so a bad id shows up in the result instead of reading stray memory.
// The callers that own the ids validate them on the host before upload (Ops.embedding); this is the cheap
// backstop, with no flag and no synchronisation.
#include "common.cuh"

template <typename U> __device__ __forceinline__ U all_ones();
template <> __device__ __forceinline__ uint4 all_ones<uint4>() { return make_uint4(~0u, ~0u, ~0u, ~0u); }
template <> __device__ __forceinline__ uint2 all_ones<uint2>() { return make_uint2(~0u, ~0u); }
template <> __device__ __forceinline__ unsigned all_ones<unsigned>() { return ~0u; }
template <> __device__ __forceinline__ unsigned short all_ones<unsigned short>() { return (unsigned short)0xFFFF; }

template <typename U>
__device__ __forceinline__ void embedding_impl(U* __restrict__ out, long long ldo, const U* __restrict__ table,
                                               long long ldt, long long tableRows, const int* __restrict__ ids,
                                               long long S, int rowUnits) {
    for (long long s = blockIdx.y; s < S; s += gridDim.y) {
        const int id = ids[s];
        const bool ok = id >= 0 && id < tableRows;
        const U* src = table + (ok ? (long long)id * ldt : 0);
        U* dst = out + s * ldo;
        for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < rowUnits; c += gridDim.x * blockDim.x) {
            dst[c] = ok ? src[c] : all_ones<U>();
        }
    }
}

/*
 * embedding_b<N>(U* out, long long ldo, const U* table, long long ldt, long long tableRows, const int* ids,
 *                long long S, int rowUnits)
 *   N-byte units; ldo, ldt and rowUnits in units; out [S, rowUnits], table [tableRows, rowUnits] row-strided.
 *   grid (ceil(rowUnits / 128), min(S, 65535)), block 128.
 */
#define EMBEDDING(N, U)                                                                                        \
    extern "C" __global__ void embedding_b##N(U* out, long long ldo, const U* table, long long ldt,           \
                                              long long tableRows, const int* ids, long long S, int rowUnits) {\
        embedding_impl<U>(out, ldo, table, ldt, tableRows, ids, S, rowUnits);                                  \
    }
EMBEDDING(16, uint4)
EMBEDDING(8, uint2)
EMBEDDING(4, unsigned)
EMBEDDING(2, unsigned short)
