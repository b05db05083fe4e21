package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

/**
 * Softmax attention for any head dim up to {@value #MAX_HEAD_DIM}, with an optional causal mask, an optional
 * additive fp32 bias and, when asked, the fp32 log-sum-exp (kernels in masked_attention.cu): the text encoders'
 * attention ({@link dev.sparkdit.ops.Ops#maskedAttention}), the VAE's one-head attention of head dim 512, and
 * {@link dev.sparkdit.ops.Ops#attention} for the head dims {@link Attention}'s kernels do not take.
 *
 * <pre>
 *   s[h, i, j] = scale * q[h, i, :] . k[h, j, :] + bias[h, i, j];  masked: causal and j > i
 *   out[i, h*Dh + d] = sum_j softmax_j(s[h, i, :]) v[h, j, d];     lse[h, i] = log sum_j exp s[h, i, j]
 *   rows with every key masked (a bias of -inf everywhere): out 0, lse -inf
 *
 *   kernel(TO* out, i64 ldo, f32* lse, i64 ldLse,
 *          const TI* q, i64 qHeadStride, i64 qRowStride, const TI* k, i64 kHs, i64 kRs, const TI* v, i64 vHs, i64 vRs,
 *          const f32* bias, i64 biasHeadStride, i64 biasRowStride,
 *          i32 Sq, i32 Sk, i32 Dh, f32 scale, i32 causal [, i32 nc, i32 rg, i32 stages])
 *   q [H, Sq, Dh], k/v [H, Sk, Dh], bias [H, Sq, Sk] fp32: any head / row strides, last dim contiguous
 *   out [Sq, H*Dh] row-strided (bf16 or fp32); lse [H, Sq] fp32 or null; bias null for none
 *
 *   masked_attention_mma_bf16_out{bf16|f32}: bf16 q/k/v, Dh % 8 == 0, 16-byte aligned rows (strides % 8 == 0)
 *     nc = ceil(Dh / 64) head-dim chunks, rg = 4 row groups of 16 (2 when nc > 4): block 32 * rg * nc threads
 *     (warp w: chunk w / rg, row group w % rg), BM = 16 rg query rows per block, grid (ceil(Sq / BM), H)
 *     dynamic shared memory stages * 128 * (64 nc + 8) + 2560 nc rg + 1472 rg bytes; stages = 2 (K/V tiles
 *     double-buffered) where the device allows it, else 1
 *       T5-XXL  (Dh 64):  nc 1, rg 4, 128 threads, 64 rows, 34,560 B;   CLIP-L likewise
 *       VAE     (Dh 512): nc 8, rg 2, 512 threads, 32 rows, 177,024 B (2 stages; 110,464 B in 1)
 *       Dh 80, 96: nc 2 (padded to 128); Dh 40: nc 1 (padded to 64)
 *   masked_attention_fma_{f32|bf16}_out{bf16|f32}: everything else (fp32, unaligned bf16, Dh % 8 != 0):
 *     fp32 FMA, one warp per query row, grid (ceil(Sq / 8), H), block 256,
 *     dynamic shared memory (8 Dh + 32 (Dh | 1) + 32 Dh) * 4 bytes (147,584 at Dh 512)
 * </pre>
 * bf16 inputs take tensor cores (mma.sync m16n8k16, fp32 accumulation, P rounded to bf16 for P V as
 * FlashAttention does); fp32 inputs take the FMA kernel (accurate {@code expf}), so fp32 results stay within the
 * fp32 parity tolerance.
 */
public final class MaskedAttention {
    public static final int MAX_HEAD_DIM = 512;
    static final int CHUNK = 64;
    static final int FMA_ROWS = 8;
    private final KernelModule module;
    private final CudaStream stream;

    public MaskedAttention(KernelModule module, CudaStream stream) {
        this.module = module;
        this.stream = stream;
    }

    public static String mmaKernel(DType out) {
        return "masked_attention_mma_bf16_out" + Matrix.suffix(out);
    }

    public static String fmaKernel(DType in, DType out) {
        return "masked_attention_fma_" + Matrix.suffix(in) + "_out" + Matrix.suffix(out);
    }

    /**
     * Whether {@link Attention}'s kernels take this head dim (32, 64, 128); {@code CudaOps.attention} sends the
     * others here.
     */
    public static boolean fastKernelsTake(long headDim) {
        return headDim == 32 || headDim == 64 || headDim == 128;
    }

    /** Dynamic shared memory of the tensor-core kernel. */
    static long mmaSmem(int nc, int rg, int stages) {
        return (long) stages * 128 * (CHUNK * nc + 8) + 2560L * nc * rg + 1472L * rg;
    }

    static long fmaSmem(long dh) {
        return (FMA_ROWS * dh + 32 * (dh | 1) + 32 * dh) * 4;
    }

    /** 16-byte rows for cp.async: aligned base, head and row strides multiples of 8 (where the dimension steps). */
    private static boolean rows16(Tensor t) {
        return t.address() % 16 == 0 && (t.dim(0) <= 1 || t.stride(0) % 8 == 0) && (t.dim(1) <= 1 || t.stride(1) % 8 == 0);
    }

    /** Whether the tensor-core kernel runs these operands. */
    static boolean usesTensorCores(Tensor q, Tensor k, Tensor v) {
        return q.dtype() == DType.BF16 && q.dim(2) % 8 == 0 && rows16(q) && rows16(k) && rows16(v);
    }

    public void run(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, float scale, boolean causal, Tensor bias) {
        for (Tensor t : new Tensor[] {out, q, k, v}) {
            Matrix.requireCuda(t, "maskedAttention operand");
        }
        Matrix.requireDType(q, "maskedAttention q", DType.BF16, DType.F32);
        if (k.dtype() != q.dtype() || v.dtype() != q.dtype()) {
            throw new IllegalArgumentException("maskedAttention: q, k, v need one dtype, got " + q + ", " + k + ", " + v);
        }
        Matrix.requireDType(out, "maskedAttention out", DType.BF16, DType.F32);
        if (q.rank() != 3 || k.rank() != 3 || v.rank() != 3) {
            throw new IllegalArgumentException("maskedAttention: q, k, v must be [H, S, Dh], got " + q + ", " + k + ", "
                    + v);
        }
        long h = q.dim(0), sq = q.dim(1), dh = q.dim(2), sk = k.dim(1);
        k.requireShape("maskedAttention k", h, sk, dh);
        v.requireShape("maskedAttention v", h, sk, dh);
        if (dh < 1 || dh > MAX_HEAD_DIM) {
            throw new IllegalArgumentException("maskedAttention: head dim must be 1 to " + MAX_HEAD_DIM + ", got " + dh
                    + " in q " + q);
        }
        for (Tensor t : new Tensor[] {q, k, v}) {
            if (t.stride(2) != 1 && t.dim(2) > 1) {
                throw new IllegalArgumentException("maskedAttention: last dimension must be contiguous, got " + t);
            }
        }
        if (out.rank() != 2 || out.dim(0) != sq || out.dim(1) != h * dh) {
            throw new IllegalArgumentException("maskedAttention: out must be [" + sq + ", " + h * dh + "] (Sq, H*Dh), got "
                    + out);
        }
        Matrix mo = Matrix.of(out, "maskedAttention out");
        long ldLse = 0;
        if (lse != null) {
            Matrix.requireCuda(lse, "maskedAttention lse");
            Matrix.requireDType(lse, "maskedAttention lse", DType.F32);
            lse.requireShape("maskedAttention lse", h, sq);
            ldLse = Matrix.of(lse, "maskedAttention lse").ld();
        }
        long bHs = 0, bRs = 0;
        if (bias != null) {
            Matrix.requireCuda(bias, "maskedAttention bias");
            Matrix.requireDType(bias, "maskedAttention bias", DType.F32);
            bias.requireShape("maskedAttention bias", h, sq, sk);
            if (bias.stride(2) != 1 && sk > 1) {
                throw new IllegalArgumentException("maskedAttention: bias's last dimension must be contiguous, got " + bias);
            }
            bHs = bias.stride(0);
            bRs = bias.stride(1);
        }
        if (sq > Integer.MAX_VALUE || sk > Integer.MAX_VALUE || h > 65535) {
            throw new IllegalArgumentException("maskedAttention: sizes out of range: H " + h + ", Sq " + sq + ", Sk " + sk);
        }
        if (sq == 0 || h == 0) {
            return;
        }
        if (usesTensorCores(q, k, v)) {
            int nc = (int) Matrix.ceilDiv(dh, CHUNK);
            int rg = nc <= 4 ? 4 : 2;
            int stages = mmaSmem(nc, rg, 2) <= module.device().sharedMemPerBlockOptin() ? 2 : 1;
            try (KernelArgs a = args(out, mo, lse, ldLse, q, k, v, bias, bHs, bRs, sq, sk, dh, scale, causal)
                    .i32(nc).i32(rg).i32(stages)) {
                module.launch(mmaKernel(out.dtype()), Matrix.ceilDiv(sq, 16L * rg), h, 1, 32 * rg * nc,
                        (int) mmaSmem(nc, rg, stages), stream, a);
            }
            return;
        }
        try (KernelArgs a = args(out, mo, lse, ldLse, q, k, v, bias, bHs, bRs, sq, sk, dh, scale, causal)) {
            module.launch(fmaKernel(q.dtype(), out.dtype()), Matrix.ceilDiv(sq, FMA_ROWS), h, 1, 32 * FMA_ROWS,
                    (int) fmaSmem(dh), stream, a);
        }
    }

    private static KernelArgs args(Tensor out, Matrix mo, Tensor lse, long ldLse, Tensor q, Tensor k, Tensor v,
                                   Tensor bias, long bHs, long bRs, long sq, long sk, long dh, float scale,
                                   boolean causal) {
        return new KernelArgs().ptr(out).i64(mo.ld()).ptr(lse).i64(ldLse)
                .ptr(q).i64(q.stride(0)).i64(q.stride(1))
                .ptr(k).i64(k.stride(0)).i64(k.stride(1))
                .ptr(v).i64(v.stride(0)).i64(v.stride(1))
                .ptr(bias).i64(bHs).i64(bRs)
                .i32(sq).i32(sk).i32(dh).f32(scale).i32(causal ? 1 : 0);
    }
}
