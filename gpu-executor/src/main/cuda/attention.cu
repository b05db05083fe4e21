// attention: flash-attention forward without mask, out = softmax(q k^T * scale) v per head, with the
// log-sum-exp of the scaled scores (natural log, fp32).
//
//   q [H, Sq, Dh], k/v [H, Sk, Dh]: head stride and row stride in elements, last dim contiguous
//   out [Sq, H*Dh] row stride ldo (fp32 or bf16); lse [H, Sq] row stride ldLse (fp32) or null
//
// attention_bf16_d<Dh>_out<t>: tensor cores (mma.sync m16n8k16 bf16, fp32 accumulation), FA2-style
// online softmax in the exp2 domain, NW warps x 16 query rows per block, 64-key tiles in shared memory
// loaded with cp.async (K of the next tile streams in while P.V of this tile runs), Sq/Sk of any length
// (out-of-range keys are masked to -inf, out-of-range rows are not written).
// attention_f32_d<Dh>_out<t>: plain fp32 (one warp per query row, 32-key tiles), accurate expf.
#include "common.cuh"

// ------------------------------------------------------------------------------------------------
// bf16 tensor-core kernel
// ------------------------------------------------------------------------------------------------
#define FA_BN 64
#define FA_PAD 8  // bf16 elements of padding per shared-memory row: 16 bytes, spreads ldmatrix rows over banks

__device__ __forceinline__ uint32_t smem_u32(const void* p) {
    return (uint32_t)__cvta_generic_to_shared(p);
}

__device__ __forceinline__ void cp_async16(void* smem, const void* gmem, bool valid) {
    const int n = valid ? 16 : 0;  // src-size 0 zero-fills the 16 bytes
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smem_u32(smem)), "l"(gmem), "r"(n));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N> __device__ __forceinline__ void cp_async_wait() {
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}

__device__ __forceinline__ void ldmatrix_x4(uint32_t& r0, uint32_t& r1, uint32_t& r2, uint32_t& r3, const void* p) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3)
                 : "r"(smem_u32(p)));
}
__device__ __forceinline__ void ldmatrix_x4_trans(uint32_t& r0, uint32_t& r1, uint32_t& r2, uint32_t& r3,
                                                  const void* p) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3)
                 : "r"(smem_u32(p)));
}

// D = A * B + D, A 16x16 bf16 (4 regs), B 16x8 bf16 (2 regs), D 16x8 fp32 (4 regs).
__device__ __forceinline__ void mma_bf16(float* d, const uint32_t* a, uint32_t b0, uint32_t b1) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
        "{%0,%1,%2,%3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

__device__ __forceinline__ uint32_t pack_bf16(float lo, float hi) {
    __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<uint32_t*>(&h);
}

// Loads rows [row0, row0 + ROWS) of a [S, D] head (row stride ld) into smem [ROWS][D + FA_PAD];
// rows >= S are zero-filled.
template <int ROWS, int D, int THREADS>
__device__ __forceinline__ void load_tile(bf16* sm, const bf16* g, long long ld, int row0, int S) {
    constexpr int CHUNKS = D / 8;  // 16-byte chunks per row
#pragma unroll
    for (int i = threadIdx.x; i < ROWS * CHUNKS; i += THREADS) {
        const int r = i / CHUNKS, c = (i % CHUNKS) * 8;
        const bool valid = row0 + r < S;
        const bf16* src = g + (long long)(valid ? row0 + r : 0) * ld + c;
        cp_async16(sm + r * (D + FA_PAD) + c, src, valid);
    }
}

template <int D, int NW, typename TO>
__device__ void attention_bf16_impl(TO* __restrict__ out, long long ldo, float* __restrict__ lse, long long ldLse,
                                    const bf16* __restrict__ q, long long qHs, long long qRs,
                                    const bf16* __restrict__ k, long long kHs, long long kRs,
                                    const bf16* __restrict__ v, long long vHs, long long vRs, int Sq, int Sk,
                                    float scale) {
    constexpr int BM = 16 * NW, THREADS = 32 * NW, LD = D + FA_PAD, NB = FA_BN / 8, DB = D / 8;
    extern __shared__ __align__(16) unsigned char fa_smem[];
    bf16* sQ = reinterpret_cast<bf16*>(fa_smem);
    bf16* sK = sQ + BM * LD;
    bf16* sV = sK + FA_BN * LD;

    const int h = blockIdx.y, m0 = blockIdx.x * BM;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int g = lane >> 2, t = lane & 3;
    const bf16* qh = q + (long long)h * qHs;
    const bf16* kh = k + (long long)h * kHs;
    const bf16* vh = v + (long long)h * vHs;

    load_tile<BM, D, THREADS>(sQ, qh + (long long)m0 * qRs, qRs, 0, Sq - m0);
    load_tile<FA_BN, D, THREADS>(sK, kh, kRs, 0, Sk);
    cp_async_commit();
    load_tile<FA_BN, D, THREADS>(sV, vh, vRs, 0, Sk);
    cp_async_commit();

    cp_async_wait<1>();  // Q and K of tile 0
    __syncthreads();

    // Q fragments for this warp's 16 rows, all of D, kept in registers.
    uint32_t qf[D / 16][4];
#pragma unroll
    for (int kk = 0; kk < D / 16; kk++) {
        const bf16* p = sQ + (warp * 16 + (lane & 15)) * LD + kk * 16 + (lane >> 4) * 8;
        ldmatrix_x4(qf[kk][0], qf[kk][1], qf[kk][2], qf[kk][3], p);
    }

    float o[DB][4];
#pragma unroll
    for (int i = 0; i < DB; i++) o[i][0] = o[i][1] = o[i][2] = o[i][3] = 0.f;
    float mrow[2] = {-INFINITY, -INFINITY}, lrow[2] = {0.f, 0.f};
    const float sl2 = scale * 1.4426950408889634f;  // scores in log2 units

    const int tiles = (Sk + FA_BN - 1) / FA_BN;
    for (int j = 0; j < tiles; j++) {
        const int n0 = j * FA_BN;
        if (j > 0) {
            cp_async_wait<1>();  // K of tile j (V of tile j may still be in flight)
            __syncthreads();
        }
        // S = Q K^T for 16 rows x 64 keys
        float s[NB][4];
#pragma unroll
        for (int nb = 0; nb < NB; nb++) s[nb][0] = s[nb][1] = s[nb][2] = s[nb][3] = 0.f;
#pragma unroll
        for (int nb = 0; nb < NB; nb++) {
#pragma unroll
            for (int kk = 0; kk < D / 32; kk++) {
                uint32_t b0, b1, b2, b3;
                const bf16* p = sK + (nb * 8 + (lane & 7)) * LD + kk * 32 + (lane >> 3) * 8;
                ldmatrix_x4(b0, b1, b2, b3, p);
                mma_bf16(s[nb], qf[2 * kk], b0, b1);
                mma_bf16(s[nb], qf[2 * kk + 1], b2, b3);
            }
        }
        __syncthreads();  // every warp is done with sK
        if (j + 1 < tiles) load_tile<FA_BN, D, THREADS>(sK, kh, kRs, n0 + FA_BN, Sk);
        cp_async_commit();

        // Online softmax. This thread holds rows g (s[.][0..1]) and g+8 (s[.][2..3]), keys nb*8 + 2t, +1.
        float mnew[2] = {mrow[0], mrow[1]};
#pragma unroll
        for (int nb = 0; nb < NB; nb++) {
#pragma unroll
            for (int e = 0; e < 4; e++) {
                const int key = n0 + nb * 8 + 2 * t + (e & 1);
                s[nb][e] = key < Sk ? s[nb][e] * sl2 : -INFINITY;
                mnew[e >> 1] = fmaxf(mnew[e >> 1], s[nb][e]);
            }
        }
        float corr[2];
#pragma unroll
        for (int r = 0; r < 2; r++) {
            mnew[r] = fmaxf(mnew[r], __shfl_xor_sync(0xffffffffu, mnew[r], 1));
            mnew[r] = fmaxf(mnew[r], __shfl_xor_sync(0xffffffffu, mnew[r], 2));
            corr[r] = mnew[r] == -INFINITY ? 1.f : exp2f(mrow[r] - mnew[r]);
            mrow[r] = mnew[r];
            lrow[r] *= corr[r];
        }
        const float base[2] = {mrow[0] == -INFINITY ? 0.f : mrow[0], mrow[1] == -INFINITY ? 0.f : mrow[1]};
        uint32_t pf[FA_BN / 16][4];
#pragma unroll
        for (int nb = 0; nb < NB; nb++) {
            const float p0 = exp2f(s[nb][0] - base[0]), p1 = exp2f(s[nb][1] - base[0]);
            const float p2 = exp2f(s[nb][2] - base[1]), p3 = exp2f(s[nb][3] - base[1]);
            lrow[0] += p0 + p1;
            lrow[1] += p2 + p3;
            pf[nb >> 1][(nb & 1) * 2 + 0] = pack_bf16(p0, p1);
            pf[nb >> 1][(nb & 1) * 2 + 1] = pack_bf16(p2, p3);
        }
#pragma unroll
        for (int i = 0; i < DB; i++) {
            o[i][0] *= corr[0];
            o[i][1] *= corr[0];
            o[i][2] *= corr[1];
            o[i][3] *= corr[1];
        }

        cp_async_wait<1>();  // V of tile j
        __syncthreads();
        // O += P V: A = P (16 x 64 keys) from registers, B = V (64 keys x D) with ldmatrix.trans.
#pragma unroll
        for (int kk = 0; kk < FA_BN / 16; kk++) {
#pragma unroll
            for (int db = 0; db < DB; db += 2) {
                uint32_t b0, b1, b2, b3;
                const bf16* p = sV + (kk * 16 + (lane & 7) + ((lane >> 3) & 1) * 8) * LD + db * 8 + (lane >> 4) * 8;
                ldmatrix_x4_trans(b0, b1, b2, b3, p);
                mma_bf16(o[db], pf[kk], b0, b1);
                mma_bf16(o[db + 1], pf[kk], b2, b3);
            }
        }
        __syncthreads();  // every warp is done with sV
        if (j + 1 < tiles) load_tile<FA_BN, D, THREADS>(sV, vh, vRs, n0 + FA_BN, Sk);
        cp_async_commit();
    }
    cp_async_wait<0>();

    // Finish: row sums across the quad, normalise, write.
#pragma unroll
    for (int r = 0; r < 2; r++) {
        lrow[r] += __shfl_xor_sync(0xffffffffu, lrow[r], 1);
        lrow[r] += __shfl_xor_sync(0xffffffffu, lrow[r], 2);
    }
#pragma unroll
    for (int r = 0; r < 2; r++) {
        const int row = m0 + warp * 16 + g + r * 8;
        if (row >= Sq) continue;
        const float inv = lrow[r] > 0.f ? 1.f / lrow[r] : 0.f;
        TO* orow = out + (long long)row * ldo + (long long)h * D;
#pragma unroll
        for (int db = 0; db < DB; db++) {
            orow[db * 8 + 2 * t] = from_f32<TO>(o[db][2 * r] * inv);
            orow[db * 8 + 2 * t + 1] = from_f32<TO>(o[db][2 * r + 1] * inv);
        }
        if (lse != nullptr && t == 0) {
            lse[(long long)h * ldLse + row] =
                lrow[r] > 0.f ? (mrow[r] + log2f(lrow[r])) * 0.6931471805599453f : -INFINITY;
        }
    }
}

/*
 * attention_bf16_d<D>_out<t>(TO* out, long long ldo, float* lse, long long ldLse,
 *                            const bf16* q, long long qHeadStride, long long qRowStride,
 *                            const bf16* k, long long kHeadStride, long long kRowStride,
 *                            const bf16* v, long long vHeadStride, long long vRowStride,
 *                            int Sq, int Sk, float scale)
 *   grid (ceil(Sq / (16*NW)), H), block 32*NW, dynamic shared memory ((16*NW + 128) * (D + 8) * 2) bytes.
 *   NW = 8 for D = 128, 4 otherwise. Row strides multiple of 8, bases 16-byte aligned.
 */
#define ATT_BF16(D, NW, TN, TO)                                                                                \
    extern "C" __global__ void __launch_bounds__(32 * NW) attention_bf16_d##D##_out##TN(                     \
        TO* out, long long ldo, float* lse, long long ldLse, const bf16* q, long long qHs, long long qRs,     \
        const bf16* k, long long kHs, long long kRs, const bf16* v, long long vHs, long long vRs, int Sq,     \
        int Sk, float scale) {                                                                                \
        attention_bf16_impl<D, NW, TO>(out, ldo, lse, ldLse, q, qHs, qRs, k, kHs, kRs, v, vHs, vRs, Sq, Sk,  \
                                       scale);                                                                \
    }
ATT_BF16(128, 8, bf16, bf16)
ATT_BF16(128, 8, f32, float)
ATT_BF16(64, 4, bf16, bf16)
ATT_BF16(64, 4, f32, float)
ATT_BF16(32, 4, bf16, bf16)
ATT_BF16(32, 4, f32, float)

// ------------------------------------------------------------------------------------------------
// bf16 tensor-core kernel, Dh = 128, v2: FA2 proper
// ------------------------------------------------------------------------------------------------
// Each warp owns MT = 2 m16 tiles (32 query rows), so every K / V fragment read from shared memory by
// ldmatrix feeds two mma.sync instead of one: half the shared-memory traffic per flop of the v1 kernel,
// which at 16 rows per warp is bound by shared-memory bandwidth (128 B/clk/SM) rather than by the tensor
// cores. Q stays in shared memory and is re-read once per key tile (32 x 128 bf16 per warp; holding it in
// registers would need 64 more registers on top of the 128 of O and 16 * BN / 8 of S).
// K and V are double-buffered: at the top of tile j one barrier covers "tile j landed" and "everyone is done
// with tile j - 1", then tile j + 1 is issued with cp.async into the other buffers and has the whole of
// tile j's compute to arrive. Scores stay raw; scale * log2(e) is folded into one FFMA per element inside
// ex2.approx (p = 2^(s * c - m * c)). Keys >= Sk are masked only in the last (partial) tile.
// Rows padded by 16 bytes (D + 8): row stride 272 B = 17 x 16 B, so the 8 rows of each ldmatrix 8x8
// matrix and the 16-byte cp.async writes fall in distinct bank groups (conflict-free, like a swizzle).
//   NW = 4 warps (128 rows per block), BN = 64-key tiles, 104,448 B shared memory, up to 255 registers:
//   2 blocks/SM. (8 warps, v3, and 32-key tiles, v4, were slower: docs/attention-notes.md.)
#define V2_NW 4
#define V2_BN 64
__device__ __forceinline__ float fast_exp2(float x) {
    float y;
    asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
    return y;
}


// One BN x D tile of a [S, D] head into smem [BN][D + FA_PAD]: thread tid copies the 16-byte column chunk
// tid % (D/8) of rows tid / (D/8) + i * THREADS / (D/8). g points at this thread's chunk of row row0 (the
// caller advances it by BN rows per tile); rows >= S are zero-filled: cp.async with src-size 0 reads no
// bytes, so their (out-of-range) source address is never dereferenced (as Triton's masked cp.async loads;
// not clamping saves the registers of a base pointer per tensor, which removed spills here).
template <int BN, int D, int THREADS>
__device__ __forceinline__ void load_kv_tile(bf16* sm, const bf16* g, long long ld, int row0, int S) {
    constexpr int CHUNKS = D / 8, RSTEP = THREADS / CHUNKS;
    static_assert(THREADS % CHUNKS == 0 && BN % RSTEP == 0, "loader shape");
    const int r0 = threadIdx.x / CHUNKS, c = (threadIdx.x % CHUNKS) * 8;
#pragma unroll
    for (int i = 0; i < BN / RSTEP; i++) {
        const int r = r0 + i * RSTEP;
        const bool valid = row0 + r < S;
        cp_async16(sm + r * (D + FA_PAD) + c, g + (long long)i * RSTEP * ld, valid);
    }
}

template <int D, typename TO>
__device__ __forceinline__ void attention_bf16_v2_impl(TO* __restrict__ out, long long ldo, float* __restrict__ lse,
                                                       long long ldLse, const bf16* __restrict__ q, long long qHs,
                                                       long long qRs, const bf16* __restrict__ k, long long kHs,
                                                       long long kRs, const bf16* __restrict__ v, long long vHs,
                                                       long long vRs, int Sq, int Sk, float scale) {
    constexpr int NW = V2_NW, BN = V2_BN;
    constexpr int MT = 2, BM = 16 * MT * NW, THREADS = 32 * NW, LD = D + FA_PAD, NB = BN / 8, DB = D / 8;
    static_assert(BN % 16 == 0 && D % 32 == 0, "tile shape");
    extern __shared__ __align__(16) unsigned char fa_smem[];
    bf16* sQ = reinterpret_cast<bf16*>(fa_smem);
    bf16* sK = sQ + BM * LD;         // [2][BN][LD]
    bf16* sV = sK + 2 * BN * LD;     // [2][BN][LD]

    const int h = blockIdx.y, m0 = blockIdx.x * BM;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int t = lane & 3;
    const bf16* qh = q + (long long)h * qHs;
    const bf16* kh = k + (long long)h * kHs;
    const bf16* vh = v + (long long)h * vHs;

    load_tile<BM, D, THREADS>(sQ, qh + (long long)m0 * qRs, qRs, 0, Sq - m0);
    const int lr = threadIdx.x / (D / 8), lc = (threadIdx.x % (D / 8)) * 8;
    const bf16* gK = kh + (long long)lr * kRs + lc;  // this thread's chunk of key row n0 (advanced per tile)
    const bf16* gV = vh + (long long)lr * vRs + lc;
    load_kv_tile<BN, D, THREADS>(sK, gK, kRs, 0, Sk);
    load_kv_tile<BN, D, THREADS>(sV, gV, vRs, 0, Sk);
    cp_async_commit();

    float o[MT][DB][4];
#pragma unroll
    for (int mt = 0; mt < MT; mt++)
#pragma unroll
        for (int i = 0; i < DB; i++) o[mt][i][0] = o[mt][i][1] = o[mt][i][2] = o[mt][i][3] = 0.f;
    // Row r = mt * 2 + half: query row warp * 32 + mt * 16 + g + half * 8. m in raw score units.
    float mrow[2 * MT], lrow[2 * MT];
#pragma unroll
    for (int r = 0; r < 2 * MT; r++) {
        mrow[r] = -INFINITY;
        lrow[r] = 0.f;
    }
    const float sl2 = scale * 1.4426950408889634f;

    // ldmatrix lane addresses (element offsets inside a tile)
    const int qOff = (warp * 16 * MT + (lane & 15)) * LD + (lane >> 4) * 8;            // + mt*16*LD + kk*16
    const int kOff = ((lane & 7) + (lane >> 4) * 8) * LD + ((lane >> 3) & 1) * 8;       // + nb*8*LD + kk*16
    const int vOff = ((lane & 7) + ((lane >> 3) & 1) * 8) * LD + (lane >> 4) * 8;       // + kk*16*LD + db*8

    const int tiles = (Sk + BN - 1) / BN;
    for (int j = 0; j < tiles; j++) {
        const int n0 = j * BN, buf = j & 1;
        cp_async_wait<0>();  // tile j (and Q) landed for this thread's copies
        __syncthreads();     // ... for everyone's; and every warp is done with tile j - 1's buffers
        if (j + 1 < tiles) {
            gK += (long long)BN * kRs;
            gV += (long long)BN * vRs;
            load_kv_tile<BN, D, THREADS>(sK + (buf ^ 1) * BN * LD, gK, kRs, n0 + BN, Sk);
            load_kv_tile<BN, D, THREADS>(sV + (buf ^ 1) * BN * LD, gV, vRs, n0 + BN, Sk);
        }
        cp_async_commit();
        const bf16* cK = sK + buf * BN * LD;
        const bf16* cV = sV + buf * BN * LD;

        // S = Q K^T: 32 rows x BN keys per warp
        float s[MT][NB][4];
#pragma unroll
        for (int mt = 0; mt < MT; mt++)
#pragma unroll
            for (int nb = 0; nb < NB; nb++) s[mt][nb][0] = s[mt][nb][1] = s[mt][nb][2] = s[mt][nb][3] = 0.f;
#pragma unroll
        for (int kk = 0; kk < D / 16; kk++) {
            uint32_t qf[MT][4];
#pragma unroll
            for (int mt = 0; mt < MT; mt++)
                ldmatrix_x4(qf[mt][0], qf[mt][1], qf[mt][2], qf[mt][3], sQ + qOff + mt * 16 * LD + kk * 16);
#pragma unroll
            for (int nb = 0; nb < NB; nb += 2) {
                uint32_t b0, b1, b2, b3;
                ldmatrix_x4(b0, b1, b2, b3, cK + kOff + nb * 8 * LD + kk * 16);
#pragma unroll
                for (int mt = 0; mt < MT; mt++) {
                    mma_bf16(s[mt][nb], qf[mt], b0, b1);
                    mma_bf16(s[mt][nb + 1], qf[mt], b2, b3);
                }
            }
        }

        // Online softmax. Thread holds rows g, g+8 of each m-tile; keys nb*8 + 2t, +1.
        if (n0 + BN > Sk) {
#pragma unroll
            for (int nb = 0; nb < NB; nb++)
#pragma unroll
                for (int e = 0; e < 4; e++)
                    if (n0 + nb * 8 + 2 * t + (e & 1) >= Sk)
#pragma unroll
                        for (int mt = 0; mt < MT; mt++) s[mt][nb][e] = -INFINITY;
        }
        float corr[2 * MT], mbase[2 * MT];
#pragma unroll
        for (int mt = 0; mt < MT; mt++) {
#pragma unroll
            for (int hf = 0; hf < 2; hf++) {
                const int r = mt * 2 + hf;
                float mx = mrow[r];
#pragma unroll
                for (int nb = 0; nb < NB; nb++) mx = fmaxf(mx, fmaxf(s[mt][nb][2 * hf], s[mt][nb][2 * hf + 1]));
                mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
                mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
                // mx == -inf only if every key so far is masked (cannot happen past tile 0 with Sk >= 1)
                mbase[r] = mx == -INFINITY ? 0.f : mx * sl2;
                corr[r] = fast_exp2(mrow[r] * sl2 - mbase[r]);  // mrow = -inf: 0
                mrow[r] = mx;
                lrow[r] *= corr[r];
            }
        }
        uint32_t pf[MT][BN / 16][4];
#pragma unroll
        for (int mt = 0; mt < MT; mt++) {
#pragma unroll
            for (int nb = 0; nb < NB; nb++) {
                const float p0 = fast_exp2(fmaf(s[mt][nb][0], sl2, -mbase[2 * mt]));
                const float p1 = fast_exp2(fmaf(s[mt][nb][1], sl2, -mbase[2 * mt]));
                const float p2 = fast_exp2(fmaf(s[mt][nb][2], sl2, -mbase[2 * mt + 1]));
                const float p3 = fast_exp2(fmaf(s[mt][nb][3], sl2, -mbase[2 * mt + 1]));
                lrow[2 * mt] += p0 + p1;
                lrow[2 * mt + 1] += p2 + p3;
                pf[mt][nb >> 1][(nb & 1) * 2 + 0] = pack_bf16(p0, p1);
                pf[mt][nb >> 1][(nb & 1) * 2 + 1] = pack_bf16(p2, p3);
            }
#pragma unroll
            for (int i = 0; i < DB; i++) {
                o[mt][i][0] *= corr[2 * mt];
                o[mt][i][1] *= corr[2 * mt];
                o[mt][i][2] *= corr[2 * mt + 1];
                o[mt][i][3] *= corr[2 * mt + 1];
            }
        }

        // O += P V: A = P from registers, B = V (BN keys x D) by ldmatrix.trans, each fragment used MT times.
#pragma unroll
        for (int kk = 0; kk < BN / 16; kk++) {
#pragma unroll
            for (int db = 0; db < DB; db += 2) {
                uint32_t b0, b1, b2, b3;
                ldmatrix_x4_trans(b0, b1, b2, b3, cV + vOff + kk * 16 * LD + db * 8);
#pragma unroll
                for (int mt = 0; mt < MT; mt++) {
                    mma_bf16(o[mt][db], pf[mt][kk], b0, b1);
                    mma_bf16(o[mt][db + 1], pf[mt][kk], b2, b3);
                }
            }
        }
    }
    cp_async_wait<0>();

    const int g = lane >> 2;
#pragma unroll
    for (int mt = 0; mt < MT; mt++) {
#pragma unroll
        for (int hf = 0; hf < 2; hf++) {
            const int r = mt * 2 + hf;
            float l = lrow[r];
            l += __shfl_xor_sync(0xffffffffu, l, 1);
            l += __shfl_xor_sync(0xffffffffu, l, 2);
            const int row = m0 + warp * 16 * MT + mt * 16 + g + hf * 8;
            if (row >= Sq) continue;
            const float inv = l > 0.f ? 1.f / l : 0.f;
            TO* orow = out + (long long)row * ldo + (long long)h * D + 2 * t;
#pragma unroll
            for (int db = 0; db < DB; db++) {
                const float x0 = o[mt][db][2 * hf] * inv, x1 = o[mt][db][2 * hf + 1] * inv;
                if constexpr (sizeof(TO) == 2) {
                    *reinterpret_cast<uint32_t*>(orow + db * 8) = pack_bf16(x0, x1);
                } else {
                    *reinterpret_cast<float2*>(orow + db * 8) = make_float2(x0, x1);
                }
            }
            if (lse != nullptr && t == 0) {
                lse[(long long)h * ldLse + row] = l > 0.f ? mrow[r] * scale + logf(l) : -INFINITY;
            }
        }
    }
}

/*
 * attention_bf16_d128_v2_out<t>: same arguments as attention_bf16_d128_out<t>.
 *   grid (ceil(Sq / (32*NW)), H) = (ceil(Sq / 128), H), block 32*NW = 128, dynamic shared memory
 *   (32*NW + 4*BN) * 136 * 2 = 104,448 bytes. Needs ldo even (bf16x2 / float2 stores) and an 8-byte aligned
 *   out (4-byte for bf16).
 */
#define ATT_BF16_V2(TN, TO)                                                                                    \
    extern "C" __global__ void __launch_bounds__(32 * V2_NW, 2) attention_bf16_d128_v2_out##TN(              \
        TO* out, long long ldo, float* lse, long long ldLse, const bf16* q, long long qHs, long long qRs,     \
        const bf16* k, long long kHs, long long kRs, const bf16* v, long long vHs, long long vRs, int Sq,     \
        int Sk, float scale) {                                                                                \
        attention_bf16_v2_impl<128, TO>(out, ldo, lse, ldLse, q, qHs, qRs, k, kHs, kRs, v, vHs, vRs, Sq, Sk,  \
                                        scale);                                                               \
    }
ATT_BF16_V2(bf16, bf16)
ATT_BF16_V2(f32, float)

// ------------------------------------------------------------------------------------------------
// fp32 reference-grade kernel
// ------------------------------------------------------------------------------------------------
#define F32_WARPS 8
#define F32_BK 32

template <int D, typename TO>
__device__ void attention_f32_impl(TO* __restrict__ out, long long ldo, float* __restrict__ lse, long long ldLse,
                                   const float* __restrict__ q, long long qHs, long long qRs,
                                   const float* __restrict__ k, long long kHs, long long kRs,
                                   const float* __restrict__ v, long long vHs, long long vRs, int Sq, int Sk,
                                   float scale) {
    constexpr int E = D / 32;  // output dims per lane: lane, lane+32, ...
    __shared__ float sK[F32_BK][D + 1];
    __shared__ float sV[F32_BK][D];
    __shared__ float sQ[F32_WARPS][D];
    const int h = blockIdx.y, warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int row = blockIdx.x * F32_WARPS + warp;
    const bool active = row < Sq;
    const float* qr = q + (long long)h * qHs + (long long)(active ? row : 0) * qRs;
    for (int d = lane; d < D; d += 32) sQ[warp][d] = active ? qr[d] : 0.f;
    float acc[E];
#pragma unroll
    for (int e = 0; e < E; e++) acc[e] = 0.f;
    float m = -INFINITY, l = 0.f;
    const float* kh = k + (long long)h * kHs;
    const float* vh = v + (long long)h * vHs;
    for (int n0 = 0; n0 < Sk; n0 += F32_BK) {
        __syncthreads();
        for (int i = threadIdx.x; i < F32_BK * D; i += blockDim.x) {
            const int r = i / D, d = i % D;
            const bool ok = n0 + r < Sk;
            sK[r][d] = ok ? kh[(long long)(n0 + r) * kRs + d] : 0.f;
            sV[r][d] = ok ? vh[(long long)(n0 + r) * vRs + d] : 0.f;
        }
        __syncthreads();
        // lane j scores key n0 + j
        float sc = 0.f;
#pragma unroll 8
        for (int d = 0; d < D; d++) sc = fmaf(sQ[warp][d], sK[lane][d], sc);
        sc = n0 + lane < Sk ? sc * scale : -INFINITY;
        const float mnew = fmaxf(m, warp_max(sc));
        const float corr = expf(m - mnew);  // m = -inf on the first tile: corr = 0
        const float p = expf(sc - mnew);
        l = l * corr + warp_sum(p);
#pragma unroll
        for (int e = 0; e < E; e++) acc[e] *= corr;
        for (int j = 0; j < F32_BK; j++) {
            const float pj = __shfl_sync(0xffffffffu, p, j);
#pragma unroll
            for (int e = 0; e < E; e++) acc[e] = fmaf(pj, sV[j][lane + 32 * e], acc[e]);
        }
        m = mnew;
    }
    if (!active) return;
    const float inv = l > 0.f ? 1.f / l : 0.f;
    TO* orow = out + (long long)row * ldo + (long long)h * D;
#pragma unroll
    for (int e = 0; e < E; e++) orow[lane + 32 * e] = from_f32<TO>(acc[e] * inv);
    if (lse != nullptr && lane == 0) lse[(long long)h * ldLse + row] = l > 0.f ? m + logf(l) : -INFINITY;
}

/*
 * attention_f32_d<D>_out<t>: same arguments as the bf16 kernel with float q/k/v.
 *   grid (ceil(Sq / 8), H), block 256, static shared memory.
 */
#define ATT_F32(D, TN, TO)                                                                                    \
    extern "C" __global__ void __launch_bounds__(32 * F32_WARPS) attention_f32_d##D##_out##TN(              \
        TO* out, long long ldo, float* lse, long long ldLse, const float* q, long long qHs, long long qRs,    \
        const float* k, long long kHs, long long kRs, const float* v, long long vHs, long long vRs, int Sq,  \
        int Sk, float scale) {                                                                               \
        attention_f32_impl<D, TO>(out, ldo, lse, ldLse, q, qHs, qRs, k, kHs, kRs, v, vHs, vRs, Sq, Sk, scale); \
    }
ATT_F32(128, f32, float)
ATT_F32(128, bf16, bf16)
ATT_F32(64, f32, float)
ATT_F32(64, bf16, bf16)
ATT_F32(32, f32, float)
ATT_F32(32, bf16, bf16)
