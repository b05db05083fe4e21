// Hopper (sm_90a) building blocks shared by the wgmma attention kernels (attention_wgmma.cu, attention_ws.cu):
// cp.async and proxy fences, wgmma issue / fence / wait, the shared-memory matrix descriptor, mbarriers, named
// barriers, register reallocation, and the 128-byte-swizzled tile loader. Everything here exists only where
// SPARKDIT_WGMMA is defined (sm_90a device code); other targets compile the kernels' entry points empty.
#pragma once
#include "common.cuh"

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900 && defined(__CUDA_ARCH_FEAT_SM90_ALL)
#define SPARKDIT_WGMMA 1
#endif

#ifdef SPARKDIT_WGMMA
namespace wgk {

__device__ __forceinline__ uint32_t smem_addr(const void* p) { return (uint32_t)__cvta_generic_to_shared(p); }

__device__ __forceinline__ void cp_async16(uint32_t dst, const void* src, bool valid) {
    // src-size 0 zero-fills the 16 bytes and reads nothing (an out-of-range src is never dereferenced)
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(valid ? 16 : 0));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
__device__ __forceinline__ void cp_async_wait_all() { asm volatile("cp.async.wait_group 0;\n" ::: "memory"); }
__device__ __forceinline__ void fence_proxy_async() { asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory"); }

__device__ __forceinline__ void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory"); }
__device__ __forceinline__ void wgmma_commit() { asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory"); }
__device__ __forceinline__ void wgmma_wait0() { asm volatile("wgmma.wait_group.sync.aligned 0;\n" ::: "memory"); }
__device__ __forceinline__ void wgmma_wait1() { asm volatile("wgmma.wait_group.sync.aligned 1;\n" ::: "memory"); }
// Keeps the compiler from moving reads / writes of an accumulator register across wgmma issue / wait.
__device__ __forceinline__ void fence_reg(float& r) { asm volatile("" : "+f"(r)::"memory"); }
__device__ __forceinline__ void fence_reg(uint32_t& r) { asm volatile("" : "+r"(r)::"memory"); }

/*
 * wgmma shared-memory matrix descriptor (64 bits), PTX ISA "Matrix Descriptor Format" (sm_90):
 *
 *   63 62 61    52 51  49 48 46 45                32 31 30 29                16 15 14 13                 0
 *  +-----+--------+------+-----+--------------------+-----+--------------------+-----+--------------------+
 *  |swzl | 0      | base | 0   | stride byte off>>4 | 0   | leading byte off>>4| 0   | start address >> 4 |
 *  +-----+--------+------+-----+--------------------+-----+--------------------+-----+--------------------+
 *   swizzle: 0 none (interleave), 1 = 128B, 2 = 64B, 3 = 32B
 *   base offset: 0 when every swizzle atom (8 rows x 128 B) starts 1024-aligned (ours do)
 *
 * K-major operand with 128B swizzle (Q as A, K as B of Q K^T): rows = M (or N) of 64 bf16 along K per
 * 128-byte row; one wgmma reads K = 16 = 32 bytes of each row, so the leading byte offset (next core
 * matrix along K) is unused (set to 1, as CUTLASS does); stride byte offset = 1024: the next group of 8
 * rows. The k16 step kk inside a 128-byte half advances the start address by 32 bytes (the hardware applies
 * the XOR swizzle to the final address bits, so a start that is not 1024-aligned but inside an aligned atom
 * is right: CUTLASS / FA3 step K this way); the second half (head dims 64..127) is another region.
 *
 * N-major operand with 128B swizzle (V as B of P V, trans-b = 1): each 128-byte row holds 64 N-elements
 * (head dims) of one K index (key); 8 keys x 128 B form one atom. Stride byte offset = 1024: the next 8 keys
 * (next atom along K); leading byte offset = distance between the two 64-wide N blocks (the two halves):
 * WG_BN * 128 = 8192 bytes. (CUTLASS make_gmma_desc<Major::MN>, SW128: SBO = stride between 8-row groups
 * along K, LBO = stride between swizzle atoms along MN.) The k16 step kk advances the start by 16 keys =
 * 2048 bytes.
 */
__device__ __forceinline__ uint64_t make_desc_sw128(uint32_t saddr, uint32_t leadingBytes, uint32_t strideBytes) {
    return (uint64_t)((saddr & 0x3FFFFu) >> 4) | ((uint64_t)((leadingBytes >> 4) & 0x3FFFu) << 16) |
           ((uint64_t)((strideBytes >> 4) & 0x3FFFu) << 32) | (1ull << 62);
}

__device__ __forceinline__ float exp2_approx(float x) {
    float y;
    asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
    return y;
}
__device__ __forceinline__ uint32_t pack_bf16x2(float lo, float hi) {
    __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<uint32_t*>(&h);
}


// Rows [row0, row0 + ROWS) of a [S, 128] bf16 head into the 128-byte-swizzled layout at sbase: two "halves"
// (head dims 0..63, 64..127) of ROWS rows x 128 bytes; inside a half, row r at r * 128 and its 16-byte chunk c
// at chunk c ^ (r % 8). THREADS threads share the copy; thread tid copies the 16-byte chunk c = tid % 16 of
// rows tid / 16 + (THREADS / 16) i, and g points at that chunk of row row0 + tid / 16. THREADS / 16 is a
// multiple of 8, so r % 8 and with it the swizzled destination chunk is the same for all of a thread's rows.
// Rows >= S are zero-filled without being read.
template <int ROWS, int THREADS>
__device__ __forceinline__ void load_rows_sw128(uint32_t sbase, const bf16* g, long long ld, int row0, int S, int tid) {
    constexpr int RSTEP = THREADS / 16;
    static_assert(RSTEP % 8 == 0 && ROWS % RSTEP == 0, "loader shape");
    const int r0 = tid >> 4, c = tid & 15;
    const uint32_t dst = sbase + (uint32_t)((c >> 3) * ROWS * 128 + r0 * 128 + (((c & 7) ^ (r0 & 7)) << 4));
#pragma unroll
    for (int i = 0; i < ROWS / RSTEP; i++) {
        cp_async16(dst + i * RSTEP * 128, g + (long long)i * RSTEP * ld, row0 + r0 + i * RSTEP < S);
    }
}

// D[64 x 64] (+)= A[64 x 16] * B[16 x 64]; A and B from shared memory by descriptor, both K-major
// (trans-a = trans-b = 0). scale_d = 0 overwrites D, 1 accumulates.
__device__ __forceinline__ void wgmma_m64n64k16_ss(float* d, uint64_t descA, uint64_t descB, int scaleD) {
    asm volatile(
        "{\n.reg .pred p;\nsetp.ne.b32 p, %34, 0;\n"
        "wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31}, %32, %33, p, 1, 1, 0, 0;\n}\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31])
        : "l"(descA), "l"(descB), "r"(scaleD));
}
// D[64 x 128] += A[64 x 16] * B[16 x 128]; A from registers (4 x bf16x2 per thread, the m16n8k16 A fragment of
// this warp's 16 rows), B from shared memory by descriptor, N-major (trans-b = 1).
__device__ __forceinline__ void wgmma_m64n128k16_rs_tb(float* d, const uint32_t* a, uint64_t descB, int scaleD) {
    asm volatile(
        "{\n.reg .pred p;\nsetp.ne.b32 p, %69, 0;\n"
        "wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, %32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, %48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63}, {%64, %65, %66, %67}, %68, p, 1, 1, 1;\n}\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(descB), "r"(scaleD));
}

// D[64 x 128] (+)= A[64 x 16] * B[16 x 128]; A and B from shared memory by descriptor, both K-major
// (trans-a = trans-b = 0). scale_d = 0 overwrites D, 1 accumulates.
__device__ __forceinline__ void wgmma_m64n128k16_ss(float* d, uint64_t descA, uint64_t descB, int scaleD) {
    asm volatile(
        "{\n.reg .pred p;\nsetp.ne.b32 p, %66, 0;\n"
        "wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, %32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, %48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63}, %64, %65, p, 1, 1, 0, 0;\n}\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63])
        : "l"(descA), "l"(descB), "r"(scaleD));
}

// mbarrier (shared memory, 8 bytes): init by one thread before a block-wide barrier; arrive is a release at
// CTA scope, a completed wait an acquire. Parity waits: phase k of a barrier completes when its count of
// arrivals for phase k is reached; waiting with parity k & 1 returns once it has.
__device__ __forceinline__ void mbar_init(uint32_t bar, uint32_t count) {
    asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(bar), "r"(count) : "memory");
}
__device__ __forceinline__ void mbar_arrive(uint32_t bar) {
    asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(bar) : "memory");
}
__device__ __forceinline__ void mbar_wait(uint32_t bar, uint32_t parity) {
    asm volatile(
        "{\n.reg .pred done;\n"
        "WAIT:\n"
        "mbarrier.try_wait.parity.shared::cta.b64 done, [%0], %1;\n"
        "@!done bra WAIT;\n}\n" ::"r"(bar),
        "r"(parity)
        : "memory");
}

// Named barriers 1..15 (0 is __syncthreads): sync waits until `threads` threads arrived (itself included);
// arrive counts this thread and goes on. Used for the consumer warpgroups' turn-taking (attention_ws.cu).
__device__ __forceinline__ void named_sync(int id, int threads) {
    asm volatile("bar.sync %0, %1;\n" ::"r"(id), "r"(threads) : "memory");
}
__device__ __forceinline__ void named_arrive(int id, int threads) {
    asm volatile("bar.arrive %0, %1;\n" ::"r"(id), "r"(threads) : "memory");
}

// Register reallocation between warpgroups (all 128 threads of a warpgroup execute it): a producer gives
// registers back to the block's pool, consumers take them.
template <int N> __device__ __forceinline__ void regs_dec() { asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;\n" ::"n"(N)); }
template <int N> __device__ __forceinline__ void regs_inc() { asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;\n" ::"n"(N)); }
}  // namespace wgk
#endif  // SPARKDIT_WGMMA
