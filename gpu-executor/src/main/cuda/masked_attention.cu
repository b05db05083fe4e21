// masked_attention: softmax attention for any head dim up to 512, with an optional causal mask and an optional
// additive fp32 bias, and (when asked) the log-sum-exp; the text encoders' attention (T5: bias; CLIP: causal),
// the VAE's one-head Dh 512 attention, and the fallback of the unmasked attention for head dims its fast kernels
// do not take.
//
//   s[h, i, j] = scale * q[h, i, :] . k[h, j, :] + bias[h, i, j]      (bias optional; element (h, i, j) at
//                                                                      bias + h * bHs + i * bRs + j)
//   masked: j >= Sk, or causal and j > i (query i sees keys 0 .. i)
//   out[i, h * Dh + d] = sum_j softmax_j(s[h, i, :]) v[h, j, d]        (rows with no visible key: 0)
//   lse[h, i] = log sum_j exp(s[h, i, j])                              (natural log; -inf for such rows)
//   q [H, Sq, Dh], k/v [H, Sk, Dh]: head and row strides in elements, last dim contiguous
//
// masked_attention_mma_bf16_out<t> (bf16 q/k/v, Dh % 8 == 0, 16-byte aligned rows): tensor cores, mma.sync
// m16n8k16 (bf16 in, fp32 accumulate). The head dim is cut into nc = ceil(Dh / 64) chunks of DC = 64 columns,
// so that one warp's share of the output (16 rows x 64 columns, 32 fp32 registers) stays small whatever Dh:
//   block = rg row groups (16 query rows each) x nc chunks, warp w = (chunk w / rg, row group w % rg);
//   rg = 4 when nc <= 4, else 2 (at most 16 warps); BM = 16 rg rows per block; grid (ceil(Sq / BM), H).
// Per 32-key tile (K and V in shared memory, double-buffered with cp.async when `stages` is 2):
//   1. S: warp (c, r) multiplies its Q fragments (rows of r, columns of chunk c; registers, loaded once) by
//      the tile's K columns of chunk c: a partial 16 x 32 score block, stored to shared memory.
//   2. softmax: the nc warps of row group r share its 16 rows (row rr goes to warp rr % nc), one key per lane:
//      sum of the nc partials, scale, bias, mask, online softmax in the exp2 domain with running max / sum per
//      row in shared memory; P (bf16) and the rescale factor of each row to shared memory.
//   3. P V: warp (c, r) rescales its O and adds P (ldmatrix) times the tile's V columns of chunk c.
// Three barriers per tile. With one chunk (nc = 1, Dh <= 64: T5, CLIP) a warp holds its rows' scores whole, so
// steps 1-3 collapse into FlashAttention-2's register softmax (P as A fragments, one barrier per tile): T5-XXL's
// 64 x 512 x 512 x 64 with bias, H200, 0.244 -> 0.137 ms. Shared memory: stages x 2 x 32 x (64 nc + 8) bf16 for K/V (Q passes through the
// same space once at the start) + nc x rg x 16 x 40 fp32 partial scores + rg x 16 x 40 bf16 P + 3 x 16 rg fp32.
//
// masked_attention_fma_<ti>_out<t> (any dtype, layout or Dh <= 512): fp32 FMA, one warp per query row, 8 rows
// per block, 32-key tiles converted to fp32 in shared memory (K rows padded to an odd stride), one key per lane
// for the scores, accurate expf: the reference-grade path for fp32 inputs and for bf16 layouts the
// tensor-core kernel cannot load.
#include "common.cuh"

namespace mattn {

constexpr int BK = 32;    // keys per tile: one per lane in the softmax
constexpr int DC = 64;    // head-dim columns per chunk
constexpr int PAD = 8;    // bf16 padding per K/V/Q shared-memory row (16 bytes: ldmatrix rows over distinct banks)
constexpr int SLD = BK + 8;  // fp32 row stride of the partial scores (float2 stores of a half-warp conflict-free)
constexpr int PLD = BK + 8;  // bf16 row stride of P (80 bytes: ldmatrix rows over distinct banks)
constexpr float LOG2E = 1.4426950408889634f;
constexpr float LN2 = 0.6931471805599453f;

__device__ __forceinline__ uint32_t ma_smem_addr(const void* p) { return (uint32_t)__cvta_generic_to_shared(p); }

__device__ __forceinline__ void ma_cp_async16(void* smem, const void* gmem, bool valid) {
    const int n = valid ? 16 : 0;  // src-size 0 zero-fills the 16 bytes and reads nothing
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(ma_smem_addr(smem)), "l"(gmem), "r"(n));
}
__device__ __forceinline__ void ma_cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
__device__ __forceinline__ void ma_cp_async_wait_all() { asm volatile("cp.async.wait_group 0;\n" ::); }

__device__ __forceinline__ void ma_ldsm_x4(uint32_t* r, const void* p) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(ma_smem_addr(p)));
}
__device__ __forceinline__ void ma_ldsm_x4_trans(uint32_t* r, const void* p) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(ma_smem_addr(p)));
}

// D = A * B + D, A 16x16 bf16 (4 regs), B 16x8 bf16 (2 regs), D 16x8 fp32 (4 regs).
__device__ __forceinline__ void ma_mma16816(float* d, const uint32_t* a, uint32_t b0, uint32_t b1) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
        "{%0,%1,%2,%3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// Rows [row0, row0 + rows) of one head ([S, Dh], row stride rs) into shared memory [rows][ld], columns
// [0, width) in 16-byte chunks; rows >= S and columns >= Dh are zero-filled (their source is not read).
__device__ __forceinline__ void ma_load_rows(bf16* sm, int ld, const bf16* g, long long rs, int row0, int rows, int S,
                                          int Dh, int width) {
    const int chunks = width >> 3;
    for (int i = threadIdx.x; i < rows * chunks; i += blockDim.x) {
        const int r = i / chunks, c = (i - r * chunks) << 3;
        const bool valid = row0 + r < S && c < Dh;
        const bf16* src = valid ? g + (long long)(row0 + r) * rs + c : g;
        ma_cp_async16(sm + r * ld + c, src, valid);
    }
}

template <typename TO>
__device__ __forceinline__ void masked_attention_mma_impl(
    TO* __restrict__ out, long long ldo, float* __restrict__ lse, long long ldLse, const bf16* __restrict__ q,
    long long qHs, long long qRs, const bf16* __restrict__ k, long long kHs, long long kRs, const bf16* __restrict__ v,
    long long vHs, long long vRs, const float* __restrict__ bias, long long bHs, long long bRs, int Sq, int Sk,
    int Dh, float scale, int causal, int nc, int rg, int stages) {
    extern __shared__ __align__(16) unsigned char ma_smem[];
    const int width = nc * DC, LD = width + PAD, BM = 16 * rg;
    bf16* kv = reinterpret_cast<bf16*>(ma_smem);                      // [stages][K, V][BK][LD]
    float* sS = reinterpret_cast<float*>(kv + stages * 2 * BK * LD);  // [nc][rg][16][SLD]
    bf16* sP = reinterpret_cast<bf16*>(sS + nc * rg * 16 * SLD);      // [rg][16][PLD]
    float* sM = reinterpret_cast<float*>(sP + rg * 16 * PLD);         // [rg * 16] running max (log2 units)
    float* sL = sM + rg * 16;                                         // [rg * 16] running sum
    float* sC = sL + rg * 16;                                         // [rg * 16] this tile's rescale factor

    const int h = blockIdx.y, m0 = blockIdx.x * BM;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int c = warp / rg, r = warp - c * rg;  // chunk, row group
    const int g = lane >> 2, t = lane & 3;
    const bf16* qh = q + (long long)h * qHs;
    const bf16* kh = k + (long long)h * kHs;
    const bf16* vh = v + (long long)h * vHs;

    // Q through the K/V space: this warp's fragments (16 rows of r, 64 columns of c) into registers.
    ma_load_rows(kv, LD, qh, qRs, m0, BM, Sq, Dh, width);
    ma_cp_async_commit();
    ma_cp_async_wait_all();
    __syncthreads();
    uint32_t qf[DC / 16][4];
#pragma unroll
    for (int kk = 0; kk < DC / 16; kk++) {
        ma_ldsm_x4(qf[kk], kv + (r * 16 + (lane & 15)) * LD + c * DC + kk * 16 + (lane >> 4) * 8);
    }
    for (int i = threadIdx.x; i < BM; i += blockDim.x) {
        sM[i] = -INFINITY;
        sL[i] = 0.f;
    }
    __syncthreads();  // Q is in registers everywhere before its space takes tile 0

    const int kEnd = causal ? min(Sk, m0 + BM) : Sk;  // no row of this block sees a key at or past kEnd
    const int tiles = (kEnd + BK - 1) / BK;
    if (tiles > 0) {
        ma_load_rows(kv, LD, kh, kRs, 0, BK, Sk, Dh, width);
        ma_load_rows(kv + BK * LD, LD, vh, vRs, 0, BK, Sk, Dh, width);
        ma_cp_async_commit();
    }

    float o[DC / 8][4];
#pragma unroll
    for (int i = 0; i < DC / 8; i++) o[i][0] = o[i][1] = o[i][2] = o[i][3] = 0.f;
    const long long biasHead = (long long)h * bHs;

    if (nc == 1) {
        // One chunk (Dh <= 64: T5, CLIP): each warp holds its 16 rows' scores whole, so the softmax stays in
        // registers as in FlashAttention-2 (this thread: rows g and g + 8, keys nb * 8 + 2t, + 1), P goes to the
        // P V product as A fragments without shared memory, and a tile needs one barrier instead of three.
        float mrow[2] = {-INFINITY, -INFINITY}, lrow[2] = {0.f, 0.f};
        for (int j = 0; j < tiles; j++) {
            const int n0 = j * BK;
            if (stages == 1 && j > 0) {
                __syncthreads();
                ma_load_rows(kv, LD, kh, kRs, n0, BK, Sk, Dh, width);
                ma_load_rows(kv + BK * LD, LD, vh, vRs, n0, BK, Sk, Dh, width);
                ma_cp_async_commit();
            }
            ma_cp_async_wait_all();
            __syncthreads();  // tile j is visible; every warp is done with tile j - 1
            if (stages == 2 && j + 1 < tiles) {
                bf16* nxt = kv + ((j + 1) & 1) * 2 * BK * LD;
                ma_load_rows(nxt, LD, kh, kRs, n0 + BK, BK, Sk, Dh, width);
                ma_load_rows(nxt + BK * LD, LD, vh, vRs, n0 + BK, BK, Sk, Dh, width);
                ma_cp_async_commit();
            }
            const bf16* sK = kv + (stages == 2 ? (j & 1) : 0) * 2 * BK * LD;
            const bf16* sV = sK + BK * LD;
            float s[BK / 8][4];
#pragma unroll
            for (int nb = 0; nb < BK / 8; nb++) {
                s[nb][0] = s[nb][1] = s[nb][2] = s[nb][3] = 0.f;
#pragma unroll
                for (int kk = 0; kk < DC / 32; kk++) {
                    uint32_t b[4];
                    ma_ldsm_x4(b, sK + (nb * 8 + (lane & 7)) * LD + kk * 32 + (lane >> 3) * 8);
                    ma_mma16816(s[nb], qf[2 * kk], b[0], b[1]);
                    ma_mma16816(s[nb], qf[2 * kk + 1], b[2], b[3]);
                }
            }
            float mnew[2] = {mrow[0], mrow[1]};
#pragma unroll
            for (int nb = 0; nb < BK / 8; nb++) {
#pragma unroll
                for (int e = 0; e < 4; e++) {
                    const int row = m0 + r * 16 + g + (e >> 1) * 8, key = n0 + nb * 8 + 2 * t + (e & 1);
                    const bool valid = key < Sk && row < Sq && !(causal && key > row);
                    float x = s[nb][e] * scale;
                    if (valid && bias != nullptr) x += bias[biasHead + (long long)row * bRs + key];
                    s[nb][e] = valid ? x * LOG2E : -INFINITY;
                    mnew[e >> 1] = fmaxf(mnew[e >> 1], s[nb][e]);
                }
            }
            float corr[2], base[2];
#pragma unroll
            for (int q2 = 0; q2 < 2; q2++) {
                mnew[q2] = fmaxf(mnew[q2], __shfl_xor_sync(0xffffffffu, mnew[q2], 1));
                mnew[q2] = fmaxf(mnew[q2], __shfl_xor_sync(0xffffffffu, mnew[q2], 2));
                corr[q2] = mnew[q2] == -INFINITY ? 1.f : exp2f(mrow[q2] - mnew[q2]);
                mrow[q2] = mnew[q2];
                lrow[q2] *= corr[q2];
                base[q2] = mnew[q2] == -INFINITY ? 0.f : mnew[q2];  // all masked so far: every p is exp2(-inf) = 0
            }
            uint32_t pf[BK / 16][4];
#pragma unroll
            for (int nb = 0; nb < BK / 8; nb++) {
                const float p0 = exp2f(s[nb][0] - base[0]), p1 = exp2f(s[nb][1] - base[0]);
                const float p2 = exp2f(s[nb][2] - base[1]), p3 = exp2f(s[nb][3] - base[1]);
                lrow[0] += p0 + p1;
                lrow[1] += p2 + p3;
                __nv_bfloat162 lo = __floats2bfloat162_rn(p0, p1), hi = __floats2bfloat162_rn(p2, p3);
                pf[nb >> 1][(nb & 1) * 2 + 0] = *reinterpret_cast<uint32_t*>(&lo);
                pf[nb >> 1][(nb & 1) * 2 + 1] = *reinterpret_cast<uint32_t*>(&hi);
            }
#pragma unroll
            for (int db = 0; db < DC / 8; db++) {
                o[db][0] *= corr[0];
                o[db][1] *= corr[0];
                o[db][2] *= corr[1];
                o[db][3] *= corr[1];
            }
#pragma unroll
            for (int kk = 0; kk < BK / 16; kk++) {
#pragma unroll
                for (int db = 0; db < DC / 8; db += 2) {
                    uint32_t b[4];
                    ma_ldsm_x4_trans(b, sV + (kk * 16 + (lane & 7) + ((lane >> 3) & 1) * 8) * LD + db * 8 +
                                            (lane >> 4) * 8);
                    ma_mma16816(o[db], pf[kk], b[0], b[1]);
                    ma_mma16816(o[db + 1], pf[kk], b[2], b[3]);
                }
            }
        }
#pragma unroll
        for (int half = 0; half < 2; half++) {
            lrow[half] += __shfl_xor_sync(0xffffffffu, lrow[half], 1);
            lrow[half] += __shfl_xor_sync(0xffffffffu, lrow[half], 2);
            const int row = m0 + r * 16 + g + 8 * half;
            if (row >= Sq) continue;
            const float inv = lrow[half] > 0.f ? 1.f / lrow[half] : 0.f;
            TO* orow = out + (long long)row * ldo + (long long)h * Dh;
#pragma unroll
            for (int db = 0; db < DC / 8; db++) {
                const int col = db * 8 + 2 * t;
                if (col < Dh) {
                    orow[col] = from_f32<TO>(o[db][2 * half] * inv);
                    orow[col + 1] = from_f32<TO>(o[db][2 * half + 1] * inv);
                }
            }
            if (lse != nullptr && t == 0) {
                lse[(long long)h * ldLse + row] =
                    lrow[half] > 0.f ? (mrow[half] + log2f(lrow[half])) * LN2 : -INFINITY;
            }
        }
        return;
    }

    for (int j = 0; j < tiles; j++) {
        const int n0 = j * BK;
        if (stages == 1 && j > 0) {
            __syncthreads();  // every warp is done with tile j - 1
            ma_load_rows(kv, LD, kh, kRs, n0, BK, Sk, Dh, width);
            ma_load_rows(kv + BK * LD, LD, vh, vRs, n0, BK, Sk, Dh, width);
            ma_cp_async_commit();
        }
        ma_cp_async_wait_all();
        __syncthreads();  // tile j is visible; every warp is done with tile j - 1, sP and sC
        const int st = stages == 2 ? (j & 1) : 0;
        if (stages == 2 && j + 1 < tiles) {
            bf16* nxt = kv + ((j + 1) & 1) * 2 * BK * LD;
            ma_load_rows(nxt, LD, kh, kRs, n0 + BK, BK, Sk, Dh, width);
            ma_load_rows(nxt + BK * LD, LD, vh, vRs, n0 + BK, BK, Sk, Dh, width);
            ma_cp_async_commit();
        }
        const bf16* sK = kv + st * 2 * BK * LD;
        const bf16* sV = sK + BK * LD;

        // 1. partial scores of chunk c: 16 rows x 32 keys
        float s[BK / 8][4];
#pragma unroll
        for (int nb = 0; nb < BK / 8; nb++) {
            s[nb][0] = s[nb][1] = s[nb][2] = s[nb][3] = 0.f;
#pragma unroll
            for (int kk = 0; kk < DC / 32; kk++) {
                uint32_t b[4];
                ma_ldsm_x4(b, sK + (nb * 8 + (lane & 7)) * LD + c * DC + kk * 32 + (lane >> 3) * 8);
                ma_mma16816(s[nb], qf[2 * kk], b[0], b[1]);
                ma_mma16816(s[nb], qf[2 * kk + 1], b[2], b[3]);
            }
        }
        float* ps = sS + (c * rg + r) * 16 * SLD;
#pragma unroll
        for (int nb = 0; nb < BK / 8; nb++) {
            *reinterpret_cast<float2*>(ps + g * SLD + nb * 8 + 2 * t) = make_float2(s[nb][0], s[nb][1]);
            *reinterpret_cast<float2*>(ps + (g + 8) * SLD + nb * 8 + 2 * t) = make_float2(s[nb][2], s[nb][3]);
        }
        __syncthreads();  // all partial scores of the tile are in

        // 2. online softmax of this warp's rows of row group r, one key per lane
        const int key = n0 + lane;
        for (int rr = c; rr < 16; rr += nc) {
            const int si = r * 16 + rr, row = m0 + si;
            float x = 0.f;
            for (int cc = 0; cc < nc; cc++) x += sS[((cc * rg + r) * 16 + rr) * SLD + lane];
            const bool valid = key < Sk && row < Sq && !(causal && key > row);
            x *= scale;
            if (valid && bias != nullptr) x += bias[biasHead + (long long)row * bRs + key];
            x = valid ? x * LOG2E : -INFINITY;
            const float mt = warp_max(x);
            const float mo = sM[si];
            const float mn = fmaxf(mo, mt);
            const float corr = mn == -INFINITY ? 1.f : exp2f(mo - mn);
            const float p = mn == -INFINITY ? 0.f : exp2f(x - mn);
            const float ls = warp_sum(p);
            sP[si * PLD + lane] = __float2bfloat16_rn(p);
            if (lane == 0) {
                sM[si] = mn;
                sL[si] = sL[si] * corr + ls;
                sC[si] = corr;
            }
        }
        __syncthreads();  // P and the rescale factors are in

        // 3. O = O * corr + P V over chunk c
        const float c0 = sC[r * 16 + g], c1 = sC[r * 16 + g + 8];
#pragma unroll
        for (int db = 0; db < DC / 8; db++) {
            o[db][0] *= c0;
            o[db][1] *= c0;
            o[db][2] *= c1;
            o[db][3] *= c1;
        }
#pragma unroll
        for (int kk = 0; kk < BK / 16; kk++) {
            uint32_t pf[4];
            ma_ldsm_x4(pf, sP + (r * 16 + (lane & 15)) * PLD + kk * 16 + (lane >> 4) * 8);
#pragma unroll
            for (int db = 0; db < DC / 8; db += 2) {
                uint32_t b[4];
                ma_ldsm_x4_trans(b, sV + (kk * 16 + (lane & 7) + ((lane >> 3) & 1) * 8) * LD + c * DC + db * 8 +
                                     (lane >> 4) * 8);
                ma_mma16816(o[db], pf, b[0], b[1]);
                ma_mma16816(o[db + 1], pf, b[2], b[3]);
            }
        }
    }

    // Normalise and store this warp's 16 x 64 block; chunk-0 warps store the log-sum-exp of their rows.
#pragma unroll
    for (int half = 0; half < 2; half++) {
        const int si = r * 16 + g + 8 * half, row = m0 + si;
        if (row >= Sq) continue;
        const float l = sL[si];
        const float inv = l > 0.f ? 1.f / l : 0.f;
        TO* orow = out + (long long)row * ldo + (long long)h * Dh;
#pragma unroll
        for (int db = 0; db < DC / 8; db++) {
            const int col = c * DC + db * 8 + 2 * t;  // Dh is a multiple of 8: col and col + 1 are both in or out
            if (col < Dh) {
                orow[col] = from_f32<TO>(o[db][2 * half] * inv);
                orow[col + 1] = from_f32<TO>(o[db][2 * half + 1] * inv);
            }
        }
    }
    if (lse != nullptr && c == 0 && lane < 16) {
        const int si = r * 16 + lane, row = m0 + si;
        if (row < Sq) {
            const float l = sL[si];
            lse[(long long)h * ldLse + row] = l > 0.f ? (sM[si] + log2f(l)) * LN2 : -INFINITY;
        }
    }
}

}  // namespace mattn

/*
 * masked_attention_mma_bf16_out<t>(TO* out, long long ldo, float* lse, long long ldLse,
 *     const bf16* q, long long qHs, long long qRs, const bf16* k, long long kHs, long long kRs,
 *     const bf16* v, long long vHs, long long vRs, const float* bias, long long bHs, long long bRs,
 *     int Sq, int Sk, int Dh, float scale, int causal, int nc, int rg, int stages)
 *   nc = ceil(Dh / 64), rg = 4 (nc <= 4) or 2; grid (ceil(Sq / (16 rg)), H), block 32 rg nc;
 *   dynamic shared memory stages * 128 * (64 nc + 8) + nc * rg * 2560 + rg * 1280 + rg * 192 bytes.
 *   lse and bias may be null. Dh % 8 == 0; q/k/v 16-byte aligned, head and row strides multiples of 8.
 */
#define MASKED_ATT_MMA(TN, TO)                                                                                 \
    extern "C" __global__ void __launch_bounds__(512) masked_attention_mma_bf16_out##TN(                      \
        TO* out, long long ldo, float* lse, long long ldLse, const bf16* q, long long qHs, long long qRs,     \
        const bf16* k, long long kHs, long long kRs, const bf16* v, long long vHs, long long vRs,             \
        const float* bias, long long bHs, long long bRs, int Sq, int Sk, int Dh, float scale, int causal,     \
        int nc, int rg, int stages) {                                                                          \
        mattn::masked_attention_mma_impl<TO>(out, ldo, lse, ldLse, q, qHs, qRs, k, kHs, kRs, v, vHs, vRs, bias, bHs, \
                                      bRs, Sq, Sk, Dh, scale, causal, nc, rg, stages);                         \
    }
MASKED_ATT_MMA(bf16, bf16)
MASKED_ATT_MMA(f32, float)

// ------------------------------------------------------------------------------------------------
// fp32 FMA kernel: any dtype, any layout, Dh <= 512
// ------------------------------------------------------------------------------------------------
#define MA_FMA_ROWS 8      // warps (query rows) per block
#define MA_FMA_MAXD 512

namespace mattn {

template <typename TI, typename TO>
__device__ __forceinline__ void masked_attention_fma_impl(
    TO* __restrict__ out, long long ldo, float* __restrict__ lse, long long ldLse, const TI* __restrict__ q,
    long long qHs, long long qRs, const TI* __restrict__ k, long long kHs, long long kRs, const TI* __restrict__ v,
    long long vHs, long long vRs, const float* __restrict__ bias, long long bHs, long long bRs, int Sq, int Sk,
    int Dh, float scale, int causal) {
    extern __shared__ __align__(16) float mf_smem[];
    const int KS = Dh | 1;  // odd row stride: lane j reading K row j, column d, hits bank (j * KS + d) % 32
    float* sQ = mf_smem;                     // [MA_FMA_ROWS][Dh]
    float* sK = sQ + MA_FMA_ROWS * Dh;       // [BK][KS]
    float* sV = sK + BK * KS;                // [BK][Dh]

    const int h = blockIdx.y, m0 = blockIdx.x * MA_FMA_ROWS;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int row = m0 + warp;
    const TI* qh = q + (long long)h * qHs;
    const TI* kh = k + (long long)h * kHs;
    const TI* vh = v + (long long)h * vHs;
    for (int i = threadIdx.x; i < MA_FMA_ROWS * Dh; i += blockDim.x) {
        const int rr = i / Dh, d = i - rr * Dh;
        sQ[i] = m0 + rr < Sq ? to_f32(qh[(long long)(m0 + rr) * qRs + d]) : 0.f;
    }
    constexpr int NO = MA_FMA_MAXD / 32;
    float o[NO];
#pragma unroll
    for (int i = 0; i < NO; i++) o[i] = 0.f;
    float m = -INFINITY, l = 0.f;
    const float* qr = sQ + warp * Dh;
    const int kEnd = causal ? min(Sk, m0 + MA_FMA_ROWS) : Sk;
    for (int n0 = 0; n0 < kEnd; n0 += BK) {
        __syncthreads();  // sQ written (first tile); every warp is done with the previous tile
        for (int i = threadIdx.x; i < BK * Dh; i += blockDim.x) {
            const int j = i / Dh, d = i - j * Dh;
            const bool in = n0 + j < Sk;
            sK[j * KS + d] = in ? to_f32(kh[(long long)(n0 + j) * kRs + d]) : 0.f;
            sV[i] = in ? to_f32(vh[(long long)(n0 + j) * vRs + d]) : 0.f;
        }
        __syncthreads();
        const int key = n0 + lane;
        float x = 0.f;
        const float* kr = sK + lane * KS;
        for (int d = 0; d < Dh; d++) x = fmaf(qr[d], kr[d], x);
        const bool valid = key < Sk && row < Sq && !(causal && key > row);
        x *= scale;
        if (valid && bias != nullptr) x += bias[(long long)h * bHs + (long long)row * bRs + key];
        x = valid ? x : -INFINITY;
        const float mn = fmaxf(m, warp_max(x));
        const float corr = mn == -INFINITY ? 1.f : expf(m - mn);
        const float p = mn == -INFINITY ? 0.f : expf(x - mn);
        l = l * corr + warp_sum(p);
        m = mn;
#pragma unroll
        for (int i = 0; i < NO; i++) o[i] *= corr;
        const int keys = min(BK, Sk - n0);
        for (int j = 0; j < keys; j++) {
            const float pj = __shfl_sync(0xffffffffu, p, j);
            const float* vr = sV + j * Dh;
#pragma unroll
            for (int i = 0; i < NO; i++) {
                const int d = lane + 32 * i;
                if (d < Dh) o[i] = fmaf(pj, vr[d], o[i]);
            }
        }
    }
    if (row >= Sq) return;
    const float inv = l > 0.f ? 1.f / l : 0.f;
    TO* orow = out + (long long)row * ldo + (long long)h * Dh;
#pragma unroll
    for (int i = 0; i < NO; i++) {
        const int d = lane + 32 * i;
        if (d < Dh) orow[d] = from_f32<TO>(o[i] * inv);
    }
    if (lse != nullptr && lane == 0) lse[(long long)h * ldLse + row] = l > 0.f ? m + logf(l) : -INFINITY;
}

}  // namespace mattn

/*
 * masked_attention_fma_<ti>_out<t>(TO* out, long long ldo, float* lse, long long ldLse,
 *     const TI* q, long long qHs, long long qRs, const TI* k, long long kHs, long long kRs,
 *     const TI* v, long long vHs, long long vRs, const float* bias, long long bHs, long long bRs,
 *     int Sq, int Sk, int Dh, float scale, int causal)
 *   grid (ceil(Sq / 8), H), block 256; dynamic shared memory (8 Dh + 32 (Dh | 1) + 32 Dh) * 4 bytes; Dh <= 512.
 */
#define MASKED_ATT_FMA(TIN, TI, TN, TO)                                                                        \
    extern "C" __global__ void __launch_bounds__(256) masked_attention_fma_##TIN##_out##TN(                   \
        TO* out, long long ldo, float* lse, long long ldLse, const TI* q, long long qHs, long long qRs,       \
        const TI* k, long long kHs, long long kRs, const TI* v, long long vHs, long long vRs,                 \
        const float* bias, long long bHs, long long bRs, int Sq, int Sk, int Dh, float scale, int causal) {   \
        mattn::masked_attention_fma_impl<TI, TO>(out, ldo, lse, ldLse, q, qHs, qRs, k, kHs, kRs, v, vHs, vRs, bias,  \
                                          bHs, bRs, Sq, Sk, Dh, scale, causal);                                \
    }
MASKED_ATT_FMA(f32, float, f32, float)
MASKED_ATT_FMA(f32, float, bf16, bf16)
MASKED_ATT_FMA(bf16, bf16, f32, float)
MASKED_ATT_FMA(bf16, bf16, bf16, bf16)
