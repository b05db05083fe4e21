// Hopper (sm_90a) building blocks of the wgmma attention kernel (attention_ws.cu): cp.async and proxy fences,
// wgmma issue / fence / wait, the shared-memory matrix descriptor, mbarriers, named barriers, register
// reallocation, and the 128-byte-swizzled tile loader. Everything here exists only where
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
 * K-major operand with 128B swizzle (K as B of Q K^T; Q as A the same way when it comes from shared memory):
 * rows = M (or N) of 64 bf16 along K per 128-byte row; one wgmma reads K = 16 = 32 bytes of each row, so the
 * leading byte offset (next core matrix along K) is unused (set to 1, as CUTLASS does); stride byte offset =
 * 1024: the next group of 8 rows. The k16 step kk inside a 128-byte half advances the start address by 32
 * bytes (the hardware applies the XOR swizzle to the final address bits, so a start that is not 1024-aligned
 * but inside an aligned atom is right: CUTLASS / FA3 step K this way); the second half (head dims 64..127) is
 * another region.
 *
 * N-major operand with 128B swizzle (V as B of P V, trans-b = 1): each 128-byte row holds 64 N-elements
 * (head dims) of one K index (key); 8 keys x 128 B form one atom. Stride byte offset = 1024: the next 8 keys
 * (next atom along K); leading byte offset = distance between the two 64-wide N blocks (the two halves):
 * BN * 128 bytes for a tile of BN keys (16,384 for attention_ws.cu's 128). (CUTLASS make_gmma_desc<Major::MN>,
 * SW128: SBO = stride between 8-row groups along K, LBO = stride between swizzle atoms along MN.) The k16 step
 * kk advances the start by 16 keys = 2048 bytes.
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
// at chunk c ^ (r % 8). That is the 128-byte swizzle (Swizzle<3,4,3>: address bits [4,7) ^= bits [7,10)) that
// wgmma undoes in hardware when the descriptor says SWIZZLE_128B and each 8-row x 128-byte atom starts
// 1024-aligned. The same storage serves K as a K-major B operand of Q K^T (B = K^T: N = keys, K-dim = head
// dims, contiguous) and V as an N-major B operand of P V (B = V: K-dim = keys, N = head dims, contiguous).
// THREADS threads share the copy; thread tid copies the 16-byte chunk c = tid % 16 of rows
// tid / 16 + (THREADS / 16) i, and g points at that chunk of row row0 + tid / 16. THREADS / 16 is a
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

// D[64 x 128] += A[64 x 16] * B[16 x 128]; A from registers (4 x bf16x2 per thread, the m16n8k16 A fragment of
// this warp's 16 rows), B from shared memory by descriptor: TRANS_B = 1 N-major (V of P V), 0 K-major (K of
// Q K^T with Q in registers).
template <int TRANS_B>
__device__ __forceinline__ void wgmma_m64n128k16_rs(float* d, const uint32_t* a, uint64_t descB, int scaleD) {
    asm volatile(
        "{\n.reg .pred p;\nsetp.ne.b32 p, %69, 0;\n"
        "wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, %32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, %48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63}, {%64, %65, %66, %67}, %68, p, 1, 1, %70;\n}\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(descB), "r"(scaleD), "n"(TRANS_B));
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

// The per-tile steps of the wgmma attention kernel for a tile of BN keys (attention_ws.cu: 128). Accumulator
// fragment of wgmma m64nNk16 (per warpgroup): thread (warp w, lane = 4 g + t) holds d[4 n + e], n < N / 8:
// row 16 w + g + 8 (e >> 1), column 8 n + 2 t + (e & 1). S has BN / 2 floats per thread, O (N = 128) 64.

// Issues O += P V (BN / 16 k16 steps over the BN keys; V N-major, its two 64-dim halves BN * 128 bytes apart)
// and commits it as one wgmma group; the caller waits.
template <int BN>
__device__ __forceinline__ void issue_pv(float* o, uint32_t (*pf)[4], uint32_t cV) {
#pragma unroll
    for (int i = 0; i < 64; i++) fence_reg(o[i]);
#pragma unroll
    for (int kk = 0; kk < BN / 16; kk++)
#pragma unroll
        for (int e = 0; e < 4; e++) fence_reg(pf[kk][e]);
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < BN / 16; kk++) {
        wgmma_m64n128k16_rs<1>(o, pf[kk], make_desc_sw128(cV + kk * 16 * 128, BN * 128, 1024), 1);
    }
    wgmma_commit();
}

// Online softmax of one S tile (after its wgmma completed): keys >= Sk (only in the last tile) are -inf before
// the row max; updates mrow / lrow, returns the O correction factors in corr and overwrites s with the
// unnormalised probabilities exp2(s * scale * log2 e - m), still fp32 (pack_p rounds them to bf16).
template <int BN>
__device__ __forceinline__ void softmax_tile(float* s, int n0, int Sk, int t, float sl2, float* mrow, float* lrow,
                                             float* corr) {
#pragma unroll
    for (int i = 0; i < BN / 2; i++) fence_reg(s[i]);
    if (n0 + BN > Sk) {
#pragma unroll
        for (int i = 0; i < BN / 2; i++)
            if (n0 + 8 * (i >> 2) + 2 * t + (i & 1) >= Sk) s[i] = -INFINITY;
    }
    float mbase[2];
#pragma unroll
    for (int r = 0; r < 2; r++) {
        float mx = mrow[r];
#pragma unroll
        for (int n = 0; n < BN / 8; n++) mx = fmaxf(mx, fmaxf(s[4 * n + 2 * r], s[4 * n + 2 * r + 1]));
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
        mbase[r] = mx == -INFINITY ? 0.f : mx * sl2;      // -inf only while every key so far is masked
        corr[r] = exp2_approx(mrow[r] * sl2 - mbase[r]);  // mrow = -inf: 0
        mrow[r] = mx;
        lrow[r] *= corr[r];
    }
#pragma unroll
    for (int n = 0; n < BN / 8; n++) {
        s[4 * n + 0] = exp2_approx(fmaf(s[4 * n + 0], sl2, -mbase[0]));
        s[4 * n + 1] = exp2_approx(fmaf(s[4 * n + 1], sl2, -mbase[0]));
        s[4 * n + 2] = exp2_approx(fmaf(s[4 * n + 2], sl2, -mbase[1]));
        s[4 * n + 3] = exp2_approx(fmaf(s[4 * n + 3], sl2, -mbase[1]));
        lrow[0] += s[4 * n + 0] + s[4 * n + 1];
        lrow[1] += s[4 * n + 2] + s[4 * n + 3];
    }
}

// P (the probabilities softmax_tile left in s) as the register A operand of m64n128k16, k16 step kk = keys
// 16 kk .. 16 kk + 15:
//   pf[kk][0] = (row g,     keys 16kk + 2t, +1)      = s[8kk + 0, 1]
//   pf[kk][1] = (row g + 8, keys 16kk + 2t, +1)      = s[8kk + 2, 3]
//   pf[kk][2] = (row g,     keys 16kk + 8 + 2t, +1)  = s[8kk + 4, 5]
//   pf[kk][3] = (row g + 8, keys 16kk + 8 + 2t, +1)  = s[8kk + 6, 7]
// pf is an operand of the P V wgmma until its wait_group: call this only after that wait (as FA3 does), never
// while the previous tile's P V may still read the registers (packing earlier let the compiler overwrite them
// in flight: non-finite output on the first H200 run of the removed v6).
template <int BN>
__device__ __forceinline__ void pack_p(const float* s, uint32_t (*pf)[4]) {
#pragma unroll
    for (int n = 0; n < BN / 8; n++) {
        pf[n >> 1][(n & 1) * 2 + 0] = pack_bf16x2(s[4 * n + 0], s[4 * n + 1]);
        pf[n >> 1][(n & 1) * 2 + 1] = pack_bf16x2(s[4 * n + 2], s[4 * n + 3]);
    }
}

// O *= the softmax's correction factors of rows g and g + 8.
__device__ __forceinline__ void rescale_o(float* o, const float* corr) {
#pragma unroll
    for (int n = 0; n < 16; n++) {
        o[4 * n + 0] *= corr[0];
        o[4 * n + 1] *= corr[0];
        o[4 * n + 2] *= corr[1];
        o[4 * n + 3] *= corr[1];
    }
}


// out rows rowBase, rowBase + 8 (rowBase = first row of the warpgroup + 16 warp + g), head h of [S, H * 128]:
// O / l, and lse = m * scale + log l. All lanes take part (the row sum of l is shuffled over t).
// Row r lives at out + (r / rowsPerPart) * partStride + (r % rowsPerPart) * ldo: the rows come in parts that
// may lie anywhere (Ulysses: each part in the peer that owns those tokens); rowsPerPart >= Sq is one part.
template <typename TO>
__device__ __forceinline__ void store_rows(TO* __restrict__ out, long long ldo, int rowsPerPart, long long partStride,
                                           float* __restrict__ lse, long long ldLse, const float* o,
                                           const float* mrow, const float* lrow, int h, int rowBase, int t, int Sq,
                                           float scale) {
#pragma unroll
    for (int r = 0; r < 2; r++) {
        float l = lrow[r];
        l += __shfl_xor_sync(0xffffffffu, l, 1);
        l += __shfl_xor_sync(0xffffffffu, l, 2);
        const int row = rowBase + 8 * r;
        if (row >= Sq) continue;
        const float inv = l > 0.f ? 1.f / l : 0.f;
        TO* orow = out + (long long)(row / rowsPerPart) * partStride + (long long)(row % rowsPerPart) * ldo +
                   (long long)h * 128 + 2 * t;
#pragma unroll
        for (int n = 0; n < 16; n++) {
            const float x0 = o[4 * n + 2 * r] * inv, x1 = o[4 * n + 2 * r + 1] * inv;
            if constexpr (sizeof(TO) == 2) {
                *reinterpret_cast<uint32_t*>(orow + 8 * n) = pack_bf16x2(x0, x1);
            } else {
                *reinterpret_cast<float2*>(orow + 8 * n) = make_float2(x0, x1);
            }
        }
        if (lse != nullptr && t == 0) {
            lse[(long long)h * ldLse + row] = l > 0.f ? mrow[r] * scale + logf(l) : -INFINITY;
        }
    }
}

}  // namespace wgk
#endif  // SPARKDIT_WGMMA
