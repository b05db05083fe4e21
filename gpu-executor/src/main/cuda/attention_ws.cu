// attention_ws: v11, the Hopper kernel of the bf16 Dh = 128 flash-attention forward (same contract as
// attention.cu's attention_bf16_d128_v2_out<t>), warp-specialised in FA3's manner (sm_90a only; empty elsewhere).
// The variants it grew from (v5 .. v10) and their figures: docs/attention-notes.md.
//
//   q [H, Sq, 128], k/v [H, Sk, 128] bf16: head stride and row stride in elements, last dim contiguous
//   out [Sq, H*128] row stride ldo (fp32 or bf16); lse [H, Sq] row stride ldLse (fp32, natural log) or null
//
// Why this shape: a kernel with m64n64 S = Q K^T wgmmas (v5) stopped at ~470 TFLOP/s on H200. That product
// reads 4 KB of shared memory per 32 tensor-core cycles, the whole shared-memory bandwidth, and a block-wide
// barrier per key tile kept the two warpgroups of a block in step, so their softmaxes coincided. Here:
//   - 128-key tiles: S = Q K^T is m64n128k16, P V is m64n128k16 with P from registers.
//   - Q in registers: each consumer warpgroup loads its 64 rows of Q once into the register A operand of the S
//     wgmma (load_q_frag), so S reads only K from shared memory: 4 KB per k16 step instead of 6.
//   - Warp specialisation: warpgroup 0 only loads (Q once, then K / V tiles through an STAGES-deep ring,
//     cp.async into the 128-byte-swizzled layout of load_rows_sw128 in wgmma.cuh); warpgroups 1 and 2 only
//     compute, 64 query rows each (block = 128 rows, 384 threads, one block per SM).
//     The producer gives registers back (setmaxnreg 24), the consumers take them (240; FA3's split; with
//     40 / 232 ptxas spilled 12 bytes).
//   - Hand-off through mbarriers, no block-wide barrier in the loop: fullK[s] / fullV[s] (128 producer
//     arrivals: each producer thread waits for its own copies, fences them into the async proxy that wgmma
//     reads through, then arrives), empty[s] (8 arrivals: lane 0 of each consumer warp once that warp's
//     P V on stage s completed).
//   - Turn-taking between the two consumer warpgroups (FA3's "ping-pong"): named barrier 1 + w is warpgroup
//     w's turn to issue its wgmmas; after issuing, it hands the turn to the other. So one warpgroup's
//     softmax runs while the other's matrix products occupy the tensor cores.
//   - Overlap inside a warpgroup (FA3's intra-warpgroup pipelining): at tile j a warpgroup issues
//     S(j) = Q K(j)^T together with O += P(j-1) V(j-1), waits for S(j) only, and runs softmax(j) while
//     P V(j-1) is still on the tensor cores. Live registers: O (64), S (64), P (32), Q (32).
//     ptxas would hoist the wait for P V(j-1) to the start of the softmax (seen in SASS); a never-taken wait
//     that reads the softmax's row sums keeps the real wait after the softmax (consume).
//
// Shared memory (byte offsets from a 1024-aligned base; the launcher asks for 1024 bytes of slack):
//   sQ          [2 halves][128 rows][128 B]   32,768
//   sK[STAGES]  [2 halves][128 rows][128 B]   STAGES x 32,768
//   sV[STAGES]  [2 halves][128 rows][128 B]   STAGES x 32,768
//   barriers    fullQ, fullK[STAGES], fullV[STAGES], empty[STAGES]   8 bytes each, 64 reserved
// STAGES = WS_STAGES = 3: 229,376 + 64 + 1,024 = 230,464 bytes (the opt-in limit is 232,448).
// Why three: the producer may refill a stage only after both warpgroups' P V on it completed. With two
// stages that left the next tile's load half an iteration to arrive, and the consumers waited for it: on an
// H200 (FLUX shape, AttentionBenchmark) the two-stage build took 0.610-0.635 ms, slower than the removed
// v5's 0.557-0.586; three stages took 0.469-0.477 ms.
// Descriptors (wgmma.cuh, make_desc_sw128) with 128-row tiles: K-major SW128 (SBO 1024) for K; V N-major
// with LBO = distance between its two 64-dim halves = 128 * 128 = 16,384 bytes, SBO 1024, 2048 bytes per k16.
#include "wgmma.cuh"

#define WS_BM 128
#define WS_BN 128
#define WS_D 128
#define WS_THREADS 384
#define WS_STAGES 3
#define WS_TILE_BYTES (WS_BN * WS_D * 2)
#define WS_PART_FLOATS (WS_BM * WS_D + WS_BM)  // one split unit's partial O and lse
#define WS_SMEM_BYTES(STAGES) (WS_BM * WS_D * 2 + 2 * (STAGES) * WS_TILE_BYTES + 64 + 1024)
#define WS_PRODUCER_REGS 24
#define WS_CONSUMER_REGS 240

#ifdef SPARKDIT_WGMMA
namespace wgk {
namespace ws {  // nested: unqualified names find wgk's primitives before attention.cu's globals

// This warpgroup's 64 rows of Q as the register A operand of m64n128k16, loaded once from the
// swizzled sQ: qf[kk] = rows (r0, r0 + 8) x dims (16 kk + 2t, +1) and (16 kk + 8 + 2t, +1), pack_p's layout with
// dims for keys. r0 = 64 w + 16 warp + g, the row inside the 128-row tile.
__device__ __forceinline__ void load_q_frag(uint32_t (*qf)[4], uint32_t sQ, int r0, int t) {
#pragma unroll
    for (int kk = 0; kk < 8; kk++) {
#pragma unroll
        for (int e = 0; e < 4; e++) {
            const int row = r0 + (e & 1) * 8, dim = 16 * kk + 2 * t + (e >> 1) * 8;
            const int byte = (dim & 63) * 2;
            const uint32_t addr = sQ + (uint32_t)(dim >> 6) * (WS_BM * 128) + (uint32_t)row * 128 +
                                  ((uint32_t)((byte >> 4) ^ (row & 7)) << 4) + (uint32_t)(byte & 15);
            asm volatile("ld.shared.b32 %0, [%1];\n" : "=r"(qf[kk][e]) : "r"(addr) : "memory");
        }
    }
}

// S[64 x 128] = Q[64 x 128] K^T for this warpgroup's 64 rows and the 128 keys of the K tile at cK: 8 k16 steps
// of m64n128k16, committed as one wgmma group. Q from the registers qf (load_q_frag), so that only K is read
// from shared memory.
__device__ __forceinline__ void issue_qk(float* s, uint32_t (*qf)[4], uint32_t cK) {
#pragma unroll
    for (int i = 0; i < 64; i++) fence_reg(s[i]);
#pragma unroll
    for (int kk = 0; kk < 8; kk++)
#pragma unroll
        for (int e = 0; e < 4; e++) fence_reg(qf[kk][e]);
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < 8; kk++) {
        const uint64_t descK = make_desc_sw128(cK + (uint32_t)(kk >> 2) * (WS_BN * 128) + (kk & 3) * 32, 16, 1024);
        wgmma_m64n128k16_rs<0>(s, qf[kk], descK, kk > 0 ? 1 : 0);
    }
    wgmma_commit();
}

// Warpgroup 0: Q, then K(t) / V(t) into stage t % STAGES once the consumers emptied it. Each tile is two
// cp.async groups (K, then V); after issuing tile t, wait_group 1 leaves only V(t) in flight, so K(t) and
// V(t - 1) have landed: fence them into the async proxy and publish them.
template <int STAGES>
__device__ __forceinline__ void produce(uint32_t sQ, uint32_t sK, uint32_t sV, uint32_t bars, const bf16* qh,
                                        long long qRs, const bf16* kh, long long kRs, const bf16* vh, long long vRs,
                                        int m0, int Sq, int Sk, int tiles, int p) {
    const uint32_t fullQ = bars, fullK = bars + 8, fullV = fullK + 8 * STAGES, empty = fullV + 8 * STAGES;
    const int lr = p >> 4, lc = (p & 15) * 8;
    load_rows_sw128<WS_BM, 128>(sQ, qh + (long long)(m0 + lr) * qRs + lc, qRs, m0, Sq, p);
    cp_async_commit();
    const bf16* gK = kh + (long long)lr * kRs + lc;
    const bf16* gV = vh + (long long)lr * vRs + lc;
    int stage = 0, prev = 0;
    for (int t = 0; t < tiles; t++) {
        if (t >= STAGES) mbar_wait(empty + 8 * stage, (uint32_t)((t / STAGES - 1) & 1));
        load_rows_sw128<WS_BN, 128>(sK + stage * WS_TILE_BYTES, gK, kRs, t * WS_BN, Sk, p);
        cp_async_commit();
        load_rows_sw128<WS_BN, 128>(sV + stage * WS_TILE_BYTES, gV, vRs, t * WS_BN, Sk, p);
        cp_async_commit();
        gK += (long long)WS_BN * kRs;
        gV += (long long)WS_BN * vRs;
        asm volatile("cp.async.wait_group 1;\n" ::: "memory");
        fence_proxy_async();
        if (t == 0) {
            mbar_arrive(fullQ);
        } else {
            mbar_arrive(fullV + 8 * prev);
        }
        mbar_arrive(fullK + 8 * stage);
        prev = stage;
        stage = stage + 1 == STAGES ? 0 : stage + 1;
    }
    cp_async_wait_all();
    fence_proxy_async();
    if (tiles == 0) {
        mbar_arrive(fullQ);
    } else {
        mbar_arrive(fullV + 8 * prev);
    }
}

// Warpgroups 1, 2 (w = 0, 1): rows m0 + 64 w .. + 63.
// part != null (a split unit, see attention_ws_impl): O / l and lse go to part as fp32 [128 rows][128] then
// [128] (rows of the tile), for attention_split_merge; else to out / lse.
template <typename TO, int STAGES>
__device__ __forceinline__ void consume(TO* __restrict__ out, long long ldo, int rowsPerPart, long long partStride,
                                        float* __restrict__ lse, long long ldLse,
                                        float* __restrict__ part, uint32_t sQ, uint32_t sK, uint32_t sV, uint32_t bars,
                                        int h, int m0, int Sq, int Sk, int tiles, float scale, int w, int ct) {
    const uint32_t fullQ = bars, fullK = bars + 8, fullV = fullK + 8 * STAGES, empty = fullV + 8 * STAGES;
    const int warp = ct >> 5, lane = ct & 31, g = lane >> 2, t = lane & 3;
    const int mine = 1 + w, other = 2 - w;  // named barriers: the turn of warpgroup w is barrier 1 + w
    const float sl2 = scale * 1.4426950408889634f;

    float o[64];
#pragma unroll
    for (int i = 0; i < 64; i++) o[i] = 0.f;
    float mrow[2] = {-INFINITY, -INFINITY}, lrow[2] = {0.f, 0.f};
    uint32_t pf[8][4];

    mbar_wait(fullQ, 0);
    uint32_t qf[8][4];
    load_q_frag(qf, sQ, w * 64 + warp * 16 + g, t);
    if (w == 1 && tiles > 0) named_arrive(1, 256);  // warpgroup 0 takes the first turn (no tiles: no turns)
    int stage = 0, prev = 0;
    for (int j = 0; j < tiles; j++) {
        const uint32_t parity = (uint32_t)((j / STAGES) & 1);
        mbar_wait(fullK + 8 * stage, parity);
        if (j > 0) mbar_wait(fullV + 8 * prev, (uint32_t)(((j - 1) / STAGES) & 1));
        named_sync(mine, 256);
        float s[64], corr[2];
        issue_qk(s, qf, sK + stage * WS_TILE_BYTES);
        if (j > 0) {
            issue_pv<WS_BN>(o, pf, sV + prev * WS_TILE_BYTES);  // O += P(j-1) V(j-1)
            if (!(w == 1 && j == tiles - 1)) named_arrive(other, 256);  // each sync of the other gets one arrive
            wgmma_wait1();  // S(j) done; P V(j-1) may still run while the softmax below does
        } else {
            if (!(w == 1 && j == tiles - 1)) named_arrive(other, 256);
            wgmma_wait0();
        }
        softmax_tile<WS_BN>(s, j * WS_BN, Sk, t, sl2, mrow, lrow, corr);
        // The pin: without it ptxas moves the wait below up to the first instruction of the softmax (SASS of the
        // removed v8 / v10: WARPGROUP.DEPBAR right after the first FMNMX), so P V(j-1) never overlaps the softmax.
        // A wait that reads the softmax's row sums cannot move above them. It is predicated on a sum below -1,
        // which never holds (sums are >= 0, NaN compares false), so it never executes and is uniform across the
        // warp; ptxas reports no serialisation (C75xx) for it, since the unconditional wait follows on every path.
        asm volatile("{\n.reg .pred p;\nsetp.lt.f32 p, %0, 0fBF800000;\n@p wgmma.wait_group.sync.aligned 1;\n}\n"
                     ::"f"(lrow[0] + lrow[1]) : "memory");
        // Unconditional, so that ptxas sees no wgmma in flight below on any path (a wait only on some paths
        // makes it serialise every wgmma of the kernel: C7514).
        wgmma_wait0();
#pragma unroll
        for (int i = 0; i < 64; i++) fence_reg(o[i]);
        if (j > 0 && lane == 0) mbar_arrive(empty + 8 * prev);  // stage prev: K(j-1), V(j-1) read
        // Once the row maxima settle most tiles leave every correction at exactly 1 (exp2 of 0): skip
        // the 64 multiplies then, per warp (a warp-uniform branch; no wgmma is in flight here).
        if (__any_sync(0xffffffffu, corr[0] != 1.f || corr[1] != 1.f)) rescale_o(o, corr);
        pack_p<WS_BN>(s, pf);  // only now: P(j-1) was an operand of the wgmma just waited for
        prev = stage;
        stage = stage + 1 == STAGES ? 0 : stage + 1;
    }
    if (tiles > 0) {  // O += P(last) V(last)
        mbar_wait(fullV + 8 * prev, (uint32_t)(((tiles - 1) / STAGES) & 1));
        issue_pv<WS_BN>(o, pf, sV + prev * WS_TILE_BYTES);
        wgmma_wait0();
#pragma unroll
        for (int i = 0; i < 64; i++) fence_reg(o[i]);
    }
    if (part != nullptr) {  // the tile's rows as a [128, 128] fp32 matrix, its lse after it; Sq - m0 rows valid
        store_rows<float>(part, WS_D, WS_BM, 0, part + WS_BM * WS_D, 0, o, mrow, lrow, 0, w * 64 + warp * 16 + g, t,
                          Sq - m0, scale);
    } else {
        store_rows<TO>(out, ldo, rowsPerPart, partStride, lse, ldLse, o, mrow, lrow, h, m0 + w * 64 + warp * 16 + g,
                       t, Sq, scale);
    }
}

// Grid: one block per work unit, 1D. Blocks < fullTiles each own one (head, 128-row) tile, linear index
// tile = h * ceil(Sq / 128) + row tile, over all keys. Blocks >= fullTiles are the split units of the tail:
// unit u covers tile fullTiles + u / splits and the u % splits-th of its key tiles, and writes fp32 partial
// results to part + u * WS_PART_FLOATS; attention_split_merge combines them. splits = 1 with fullTiles = all
// tiles is the plain launch.
template <typename TO, int STAGES>
__device__ __forceinline__ void attention_ws_impl(TO* __restrict__ out, long long ldo, float* __restrict__ lse,
                                                  long long ldLse, const bf16* __restrict__ q, long long qHs,
                                                  long long qRs, const bf16* __restrict__ k, long long kHs,
                                                  long long kRs, const bf16* __restrict__ v, long long vHs,
                                                  long long vRs, int Sq, int Sk, float scale, int fullTiles,
                                                  int splits, float* __restrict__ part, int rowsPerPart,
                                                  long long partStride) {
    extern __shared__ __align__(1024) unsigned char ws_smem[];
    const uint32_t base = (smem_addr(ws_smem) + 1023u) & ~1023u;
    const uint32_t sQ = base, sK = sQ + WS_BM * WS_D * 2, sV = sK + STAGES * WS_TILE_BYTES;
    const uint32_t bars = sV + STAGES * WS_TILE_BYTES;
    const int tid = threadIdx.x, qtiles = (Sq + WS_BM - 1) / WS_BM, keyTiles = (Sk + WS_BN - 1) / WS_BN;
    int tile = blockIdx.x, kBeg = 0, kEnd = keyTiles;
    float* myPart = nullptr;
    if ((int)blockIdx.x >= fullTiles) {
        const int u = blockIdx.x - fullTiles, split = u % splits;
        tile = fullTiles + u / splits;
        kBeg = split * keyTiles / splits;
        kEnd = (split + 1) * keyTiles / splits;
        myPart = part + (long long)u * WS_PART_FLOATS;
    }
    const int h = tile / qtiles, m0 = (tile % qtiles) * WS_BM;
    const int keyBase = kBeg * WS_BN, keys = min(Sk, kEnd * WS_BN) - keyBase, tiles = kEnd - kBeg;
    if (tid == 0) {
        mbar_init(bars, 128);  // fullQ
        for (int s = 0; s < STAGES; s++) {
            mbar_init(bars + 8 + 8 * s, 128);                 // fullK
            mbar_init(bars + 8 + 8 * (STAGES + s), 128);      // fullV
            mbar_init(bars + 8 + 8 * (2 * STAGES + s), 8);    // empty
        }
        asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
    }
    __syncthreads();
    if (tid < 128) {
        regs_dec<WS_PRODUCER_REGS>();
        produce<STAGES>(sQ, sK, sV, bars, q + (long long)h * qHs, qRs, k + (long long)h * kHs + (long long)keyBase * kRs,
                        kRs, v + (long long)h * vHs + (long long)keyBase * vRs, vRs, m0, Sq, keys, tiles, tid);
    } else {
        regs_inc<WS_CONSUMER_REGS>();
        const int ct = tid - 128;
        consume<TO, STAGES>(out, ldo, rowsPerPart, partStride, lse, ldLse, myPart, sQ, sK, sV, bars, h, m0, Sq, keys,
                            tiles, scale, ct >> 7, ct & 127);
    }
}

// Combines the split units of one tail tile row: out = sum_s w_s O_s / sum_s w_s, w_s = exp(lse_s - max),
// lse = max + log sum_s w_s. One warp per (tail tile, row); lane i owns head dims 4i .. 4i + 3.
template <typename TO>
__device__ __forceinline__ void split_merge(TO* __restrict__ out, long long ldo, float* __restrict__ lse,
                                            long long ldLse, const float* __restrict__ part, int Sq, int fullTiles,
                                            int splits, int tailTiles, int rowsPerPart, long long partStride) {
    const long long wid = ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    const int lane = threadIdx.x & 31;
    if (wid >= (long long)tailTiles * WS_BM) return;
    const int unit = (int)(wid / WS_BM), rl = (int)(wid % WS_BM);
    const int qtiles = (Sq + WS_BM - 1) / WS_BM, tile = fullTiles + unit;
    const int h = tile / qtiles, row = (tile % qtiles) * WS_BM + rl;
    if (row >= Sq) return;
    const float* p0 = part + (long long)unit * splits * WS_PART_FLOATS;
    float mx = -INFINITY;
    for (int s = 0; s < splits; s++) mx = fmaxf(mx, p0[(long long)s * WS_PART_FLOATS + WS_BM * WS_D + rl]);
    float acc[4] = {0.f, 0.f, 0.f, 0.f}, wsum = 0.f;
    if (mx != -INFINITY) {
        for (int s = 0; s < splits; s++) {
            const float* ps = p0 + (long long)s * WS_PART_FLOATS;
            const float wgt = expf(ps[WS_BM * WS_D + rl] - mx);  // an empty split's -inf gives 0
            const float4 x = *reinterpret_cast<const float4*>(ps + rl * WS_D + 4 * lane);
            acc[0] += wgt * x.x;
            acc[1] += wgt * x.y;
            acc[2] += wgt * x.z;
            acc[3] += wgt * x.w;
            wsum += wgt;
        }
    }
    const float inv = wsum > 0.f ? 1.f / wsum : 0.f;
    TO* orow = out + (long long)(row / rowsPerPart) * partStride + (long long)(row % rowsPerPart) * ldo +
               (long long)h * WS_D + 4 * lane;
    if constexpr (sizeof(TO) == 2) {
        reinterpret_cast<uint32_t*>(orow)[0] = pack_bf16x2(acc[0] * inv, acc[1] * inv);
        reinterpret_cast<uint32_t*>(orow)[1] = pack_bf16x2(acc[2] * inv, acc[3] * inv);
    } else {
        reinterpret_cast<float2*>(orow)[0] = make_float2(acc[0] * inv, acc[1] * inv);
        reinterpret_cast<float2*>(orow)[1] = make_float2(acc[2] * inv, acc[3] * inv);
    }
    if (lse != nullptr && lane == 0) lse[(long long)h * ldLse + row] = wsum > 0.f ? mx + logf(wsum) : -INFINITY;
}

}  // namespace ws
}  // namespace wgk
#endif  // SPARKDIT_WGMMA

/*
 * attention_bf16_d128_v11_out<t>: same arguments as attention_bf16_d128_v2_out<t> (attention.cu),
 *   plus (int fullTiles, int splits, float* part): see attention_ws_impl; plain launch: fullTiles = H *
 *   ceil(Sq / 128), splits 1, part null;
 *   plus (int rowsPerPart, long long partStride): out row r at out + (r / rowsPerPart) * partStride +
 *   (r % rowsPerPart) * ldo (see store_rows); one part: rowsPerPart = Sq, partStride 0.
 *   grid (fullTiles + tail tiles * splits), block 384 (3 warpgroups), dynamic shared memory
 *   WS_SMEM_BYTES(WS_STAGES) = 230,464 bytes (opt-in above 48 KB); q/k/v 16-byte aligned with strides % 8 == 0;
 *   ldo even, out 8-byte (fp32) or 4-byte (bf16) aligned. sm_90a only: elsewhere the body is empty (the launcher does not use it there).
 */
#ifdef SPARKDIT_WGMMA
#define WS_BODY(TO, STAGES)                                                                                    \
    wgk::ws::attention_ws_impl<TO, STAGES>(out, ldo, lse, ldLse, q, qHs, qRs, k, kHs, kRs, v, vHs, vRs, Sq, Sk, \
                                           scale, fullTiles, splits, part, rowsPerPart, partStride);
#define WS_MERGE_BODY(TO)                                                                                      \
    wgk::ws::split_merge<TO>(out, ldo, lse, ldLse, part, Sq, fullTiles, splits, tailTiles, rowsPerPart, partStride);
#else
#define WS_BODY(TO, STAGES)
#define WS_MERGE_BODY(TO)
#endif
#define ATT_BF16_WS(TN, TO)                                                                                    \
    extern "C" __global__ void __launch_bounds__(WS_THREADS, 1) attention_bf16_d128_v11_out##TN(              \
        TO* out, long long ldo, float* lse, long long ldLse, const bf16* q, long long qHs, long long qRs,     \
        const bf16* k, long long kHs, long long kRs, const bf16* v, long long vHs, long long vRs, int Sq,     \
        int Sk, float scale, int fullTiles, int splits, float* part, int rowsPerPart, long long partStride) { \
        WS_BODY(TO, WS_STAGES)                                                                                \
    }
ATT_BF16_WS(bf16, bf16)
ATT_BF16_WS(f32, float)

/*
 * attention_split_merge_<t>(TO* out, long long ldo, float* lse, long long ldLse, const float* part, int Sq,
 *                           int fullTiles, int splits, int tailTiles, int rowsPerPart, long long partStride)
 *   after a v11 launch with split tail units: grid ceil(tailTiles * 128 * 32 / block), out / lse as there.
 */
#define ATT_SPLIT_MERGE(TN, TO)                                                                                \
    extern "C" __global__ void attention_split_merge_##TN(TO* out, long long ldo, float* lse, long long ldLse, \
                                                           const float* part, int Sq, int fullTiles, int splits, \
                                                           int tailTiles, int rowsPerPart, long long partStride) { \
        WS_MERGE_BODY(TO)                                                                                     \
    }
ATT_SPLIT_MERGE(bf16, bf16)
ATT_SPLIT_MERGE(f32, float)
