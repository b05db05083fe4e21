// peer_barrier: a device-side barrier across the ranks of a peer window (CudaPeerWindow): each rank's
// part of the window, mapped into every rank's address space, begins with a flag area
//
//   u32 arrived[32]    slot j: the number of barriers rank j has reached, stored by rank j (release)
//   u32 epoch          at word 64 (its own 256 bytes): barriers this rank has passed; only it touches it
//
// A barrier: epoch + 1 is stored into slot `rank` of every rank's part (peers included), then each
// thread j < ranks waits until slot j of this rank's own part reaches it (acquire). Counters only grow,
// so a CUDA graph replaying the same barriers keeps working: the state lives in device memory, not in
// the launch arguments. The stores this barrier publishes are those of the kernels before it in the
// stream, which completed before it started; the fence orders them before the flag for the peer.
//
// abort: host-mapped word, non-zero once the host aborted the group: stop waiting (the run is failing
// anyway). timeout_ns: a peer that never arrives traps, so the stream fails loudly instead of hanging.
#include "common.cuh"

__device__ __forceinline__ void store_release_sys(unsigned* p, unsigned v) {
    asm volatile("st.release.sys.global.u32 [%0], %1;" ::"l"(p), "r"(v) : "memory");
}

__device__ __forceinline__ unsigned load_acquire_sys(const unsigned* p) {
    unsigned v;
    asm volatile("ld.acquire.sys.global.u32 %0, [%1];" : "=r"(v) : "l"(p) : "memory");
    return v;
}

__device__ __forceinline__ unsigned long long global_ns() {
    unsigned long long t;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
    return t;
}

/*
 * peer_barrier(char* window, long long stride, int rank, int ranks, const volatile int* abort,
 *              unsigned long long timeout_ns)        grid 1, block 32 (ranks <= 32)
 * window: address of rank 0's part (flag area first); stride: bytes between parts.
 */
extern "C" __global__ void peer_barrier(char* window, long long stride, int rank, int ranks,
                                        const volatile int* abort, unsigned long long timeout_ns) {
    unsigned* mine = reinterpret_cast<unsigned*>(window + rank * stride);
    __shared__ unsigned epoch;
    if (threadIdx.x == 0) epoch = mine[64] + 1;
    __syncthreads();
    const unsigned e = epoch;
    const int j = threadIdx.x;
    if (j < ranks) {
        __threadfence_system();
        store_release_sys(reinterpret_cast<unsigned*>(window + j * stride) + rank, e);
        unsigned long long start = global_ns();
        for (unsigned spin = 0; static_cast<int>(load_acquire_sys(mine + j) - e) < 0; spin++) {
            if ((spin & 255) == 255) {
                if (*abort) break;
                if (global_ns() - start > timeout_ns) __trap();
                __nanosleep(64);
            }
        }
    }
    __syncthreads();
    if (threadIdx.x == 0) mine[64] = e;
}
