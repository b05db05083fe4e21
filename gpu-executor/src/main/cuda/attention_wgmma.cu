// attention_wgmma: variant v5 of the bf16 Dh = 128 flash-attention forward (same contract as attention.cu's
// attention_bf16_d128_v2_out<t>), FA3-style for Hopper: wgmma (warpgroup MMA) instead of mma.sync.
//
//   q [H, Sq, 128], k/v [H, Sk, 128] bf16: head stride and row stride in elements, last dim contiguous
//   out [Sq, H*128] row stride ldo (fp32 or bf16); lse [H, Sq] row stride ldLse (fp32, natural log) or null
//
// Built only for sm_90a (wgmma needs the "a" target); every other target (sm_80, compute_90 PTX) compiles
// the same entry points with an empty body, and the launcher (Attention.java) never picks v5 there.
//
// Design (correctness first, no warp specialisation):
//   block = WG_NWG = 2 warpgroups (256 threads); warpgroup w owns query rows m0 + 64 w .. + 63; grid
//   (ceil(Sq / 128), H). Every thread loads: Q once, then K / V tiles of WG_BN = 64 keys, double-buffered
//   with cp.async (tile j + 1 streams in while tile j is computed). At the top of tile j:
//   cp.async.wait_group 0 -> fence.proxy.async.shared::cta (the copies were generic-proxy writes, wgmma
//   reads through the async proxy) -> __syncthreads (tile j landed for all; everyone's wgmma on the other
//   buffer finished, since each warpgroup waits for its wgmma before reaching the barrier) -> issue j + 1.
//   Per tile and warpgroup:
//     S[64 x 64]  = Q[64 x 128] K^T     8 x wgmma m64n64k16, A = Q (smem desc), B = K (smem desc), K-major
//     online softmax on S in registers (exp2 domain, scale folded into one FFMA), P -> bf16 registers
//     O[64 x 128] += P[64 x 64] V       4 x wgmma m64n128k16, A = P (registers), B = V (smem desc), N-major
//   each group: wgmma.fence; wgmmas; commit_group; wait_group 0.
//
// Shared memory (byte offsets from a 1024-aligned base; the launcher asks for 1024 bytes of slack):
//   sQ          [2 halves][128 rows][128 B]   32,768
//   sK[STAGES]  [2 halves][ 64 rows][128 B]   STAGES x 16,384
//   sV[STAGES]  [2 halves][ 64 rows][128 B]   STAGES x 16,384
//   v5: STAGES 2, 98,304 (+ 1,024 slack = 99,328); v6: STAGES 3, 131,072 (+ 1,024 = 132,096)
// v6 = v5 + FA3's intra-warpgroup overlap (see attention_wgmma_impl).
// "half" c2 holds the head dims 64 c2 .. 64 c2 + 63 of every row (128 bytes = one 128-byte swizzle row);
// inside a half, row r sits at r * 128 and its 16-byte chunk c (dims 64 c2 + 8c .. + 7) at chunk c ^ (r % 8):
// the 128-byte swizzle (Swizzle<3,4,3>: address bits [4,7) ^= bits [7,10)) that wgmma undoes in hardware
// when the descriptor says SWIZZLE_128B and each 8-row x 128-byte atom starts 1024-aligned.
// The same storage serves K as a K-major B operand of Q K^T (B = K^T: N = keys, K-dim = head dims,
// contiguous) and V as an N-major B operand of P V (B = V: K-dim = keys, N = head dims, contiguous).
#include "wgmma.cuh"

#define WG_NWG 2
#define WG_BM (64 * WG_NWG)
#define WG_BN 64
#define WG_D 128
#define WG_THREADS (128 * WG_NWG)
#define WG_Q_BYTES (WG_BM * WG_D * 2)
#define WG_KV_BYTES (WG_BN * WG_D * 2)
#define WG_SMEM_BYTES(STAGES) (WG_Q_BYTES + 2 * (STAGES) * WG_KV_BYTES + 1024)

#ifdef SPARKDIT_WGMMA
namespace wgk {

// Rows [row0, row0 + ROWS) of a [S, 128] bf16 head into the swizzled layout above, by all WG_THREADS threads
// (load_rows_sw128 in wgmma.cuh).
template <int ROWS>
__device__ __forceinline__ void load_tile_sw128(uint32_t sbase, const bf16* g, long long ld, int row0, int S) {
    load_rows_sw128<ROWS, WG_THREADS>(sbase, g, ld, row0, S, threadIdx.x);
}

// Issues S = Q K^T (64 rows x 64 keys of this warpgroup, K-dim 128 in 8 steps of 16) and commits it as one
// wgmma group; the caller waits. qRows: this warpgroup's rows in sQ; cK: the K tile.
__device__ __forceinline__ void issue_qk(float* s, uint32_t qRows, uint32_t cK) {
#pragma unroll
    for (int i = 0; i < 32; i++) s[i] = 0.f;
#pragma unroll
    for (int i = 0; i < 32; i++) fence_reg(s[i]);
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < 8; kk++) {
        const uint32_t qoff = (uint32_t)(kk >> 2) * (WG_BM * 128) + (kk & 3) * 32;
        const uint32_t koff = (uint32_t)(kk >> 2) * (WG_BN * 128) + (kk & 3) * 32;
        wgmma_m64n64k16_ss(s, make_desc_sw128(qRows + qoff, 16, 1024), make_desc_sw128(cK + koff, 16, 1024),
                           kk > 0 ? 1 : 0);
    }
    wgmma_commit();
}

/*
 * STAGES = 2 (v5): per tile, S = Q K^T -> wait -> softmax -> O += P V -> wait. No overlap inside a
 *   warpgroup; 127 registers, 2 blocks (4 warpgroups) per SM overlap each other's softmax and wgmma.
 * STAGES = 3 (v6): FA3's intra-warpgroup overlap: at tile j, issue S(j) = Q K(j)^T, then O += P(j-1) V(j-1),
 *   wait for S(j) only (wait_group 1), softmax(j) in S's fp32 registers while P V(j-1) runs on the tensor
 *   cores, wait for it (wait_group 0), then rescale O by tile j's correction and only then pack P(j) into
 *   the A-operand registers that P V(j-1) was reading (packing before the wait let the compiler overwrite
 *   them in flight: the first H200 run returned non-finite output). P V(j-1) still reads V(j-1) while
 *   tile j + 1 streams in, so K/V need three stages: tile j + 1 goes into stage (j + 1) % 3, last read by
 *   P V(j-2), which every warpgroup waited for before the barrier of tile j. 132 KB of shared memory: 1 block/SM.
 */
template <typename TO, int STAGES>
__device__ __forceinline__ void attention_wgmma_impl(TO* __restrict__ out, long long ldo, float* __restrict__ lse,
                                                     long long ldLse, const bf16* __restrict__ q, long long qHs,
                                                     long long qRs, const bf16* __restrict__ k, long long kHs,
                                                     long long kRs, const bf16* __restrict__ v, long long vHs,
                                                     long long vRs, int Sq, int Sk, float scale) {
    extern __shared__ __align__(1024) unsigned char wg_smem[];
    const uint32_t base = (smem_addr(wg_smem) + 1023u) & ~1023u;  // swizzle atoms must start 1024-aligned
    const uint32_t sQ = base;
    const uint32_t sK = sQ + WG_Q_BYTES;              // [STAGES][WG_KV_BYTES]
    const uint32_t sV = sK + STAGES * WG_KV_BYTES;    // [STAGES][WG_KV_BYTES]

    const int h = blockIdx.y, m0 = blockIdx.x * WG_BM;
    const int tid = threadIdx.x, wg = tid >> 7, warp = (tid >> 5) & 3, lane = tid & 31;
    const int g = lane >> 2, t = lane & 3;
    const bf16* qh = q + (long long)h * qHs;
    const bf16* kh = k + (long long)h * kHs;
    const bf16* vh = v + (long long)h * vHs;

    const int lr = tid >> 4, lc = (tid & 15) * 8;  // loader: row lr (+ 16 i), 16-byte chunk lc / 8
    load_tile_sw128<WG_BM>(sQ, qh + (long long)(m0 + lr) * qRs + lc, qRs, m0, Sq);
    const bf16* gK = kh + (long long)lr * kRs + lc;  // advanced by WG_BN rows per tile
    const bf16* gV = vh + (long long)lr * vRs + lc;
    load_tile_sw128<WG_BN>(sK, gK, kRs, 0, Sk);
    load_tile_sw128<WG_BN>(sV, gV, vRs, 0, Sk);
    cp_async_commit();

    // Accumulator fragment of wgmma m64nNk16 (per warpgroup): thread (warp w, lane = 4 g + t) holds
    // d[4 n + e], n < N / 8: row 16 w + g + 8 (e >> 1), column 8 n + 2 t + (e & 1).
    float o[64];
#pragma unroll
    for (int i = 0; i < 64; i++) o[i] = 0.f;
    float mrow[2] = {-INFINITY, -INFINITY}, lrow[2] = {0.f, 0.f};  // rows g, g + 8; m in raw score units
    const float sl2 = scale * 1.4426950408889634f;
    const uint32_t qRows = sQ + (uint32_t)wg * 64 * 128;  // this warpgroup's 64 rows inside each half of sQ
    uint32_t pf[4][4];                                     // P of the tile whose P V is next

    const int tiles = (Sk + WG_BN - 1) / WG_BN;
    int stage = 0;  // j % STAGES
    for (int j = 0; j < tiles; j++) {
        const int n0 = j * WG_BN;
        const int next = stage + 1 == STAGES ? 0 : stage + 1;
        cp_async_wait_all();   // this thread's copies of tile j (and Q) landed
        fence_proxy_async();   // ... and are visible to the async proxy (wgmma operand reads)
        __syncthreads();       // everyone's copies; every warpgroup finished its wgmma on stage `next`
        if (j + 1 < tiles) {
            gK += (long long)WG_BN * kRs;
            gV += (long long)WG_BN * vRs;
            load_tile_sw128<WG_BN>(sK + next * WG_KV_BYTES, gK, kRs, n0 + WG_BN, Sk);
            load_tile_sw128<WG_BN>(sV + next * WG_KV_BYTES, gV, vRs, n0 + WG_BN, Sk);
        }
        cp_async_commit();
        const uint32_t cK = sK + stage * WG_KV_BYTES, cV = sV + stage * WG_KV_BYTES;

        float s[32], corr[2];
        if constexpr (STAGES == 2) {
            issue_qk(s, qRows, cK);
            wgmma_wait0();
            softmax_tile<WG_BN>(s, n0, Sk, t, sl2, mrow, lrow, corr);
            pack_p<WG_BN>(s, pf);
            rescale_o(o, corr);
            issue_pv<WG_BN>(o, pf, cV);
            wgmma_wait0();
#pragma unroll
            for (int i = 0; i < 64; i++) fence_reg(o[i]);
        } else {
            issue_qk(s, qRows, cK);
            if (j > 0) {
                const int prev = stage == 0 ? STAGES - 1 : stage - 1;
                issue_pv<WG_BN>(o, pf, sV + prev * WG_KV_BYTES);  // O += P(j-1) V(j-1)
                wgmma_wait1();                              // S(j) done; P V(j-1) may still run
            } else {
                wgmma_wait0();
            }
            softmax_tile<WG_BN>(s, n0, Sk, t, sl2, mrow, lrow, corr);  // overlaps P V(j-1) on the tensor cores
            wgmma_wait0();
#pragma unroll
            for (int i = 0; i < 64; i++) fence_reg(o[i]);
            rescale_o(o, corr);
            pack_p<WG_BN>(s, pf);  // only now: P(j-1) was an operand of the wgmma just waited for
        }
        stage = next;
    }
    if constexpr (STAGES != 2) {
        if (tiles > 0) {  // O += P(last) V(last)
            const int prev = stage == 0 ? STAGES - 1 : stage - 1;
            issue_pv<WG_BN>(o, pf, sV + prev * WG_KV_BYTES);
            wgmma_wait0();
#pragma unroll
            for (int i = 0; i < 64; i++) fence_reg(o[i]);
        }
    }
    cp_async_wait_all();
    store_rows<TO>(out, ldo, Sq, 0, lse, ldLse, o, mrow, lrow, h, m0 + wg * 64 + warp * 16 + g, t, Sq, scale);
}

}  // namespace wgk
#endif  // SPARKDIT_WGMMA

/*
 * attention_bf16_d128_v5_out<t>: same arguments as attention_bf16_d128_v2_out<t> (attention.cu).
 * attention_bf16_d128_v6_out<t>: the same with the overlapped pipeline (STAGES 3).
 *   grid (ceil(Sq / 128), H), block 256 (2 warpgroups), dynamic shared memory WG_SMEM_BYTES(STAGES):
 *   v5 99,328 bytes, v6 132,096 bytes (opt-in above 48 KB); q/k/v 16-byte aligned with strides % 8 == 0; ldo even, out 8-byte (fp32) or 4-byte
 *   (bf16) aligned. sm_90a only: elsewhere the body is empty (the launcher does not use it there).
 */
#ifdef SPARKDIT_WGMMA
#define WG_BODY(TO, STAGES)                                                                                     \
    wgk::attention_wgmma_impl<TO, STAGES>(out, ldo, lse, ldLse, q, qHs, qRs, k, kHs, kRs, v, vHs, vRs, Sq, Sk,  \
                                          scale);
#else
#define WG_BODY(TO, STAGES)
#endif
#define ATT_BF16_WG(VN, STAGES, MINB, TN, TO)                                                                   \
    extern "C" __global__ void __launch_bounds__(WG_THREADS, MINB) attention_bf16_d128_v##VN##_out##TN(       \
        TO* out, long long ldo, float* lse, long long ldLse, const bf16* q, long long qHs, long long qRs,     \
        const bf16* k, long long kHs, long long kRs, const bf16* v, long long vHs, long long vRs, int Sq,     \
        int Sk, float scale) {                                                                                \
        WG_BODY(TO, STAGES)                                                                                   \
    }
ATT_BF16_WG(5, 2, 2, bf16, bf16)
ATT_BF16_WG(5, 2, 2, f32, float)
ATT_BF16_WG(6, 3, 1, bf16, bf16)
ATT_BF16_WG(6, 3, 1, f32, float)
