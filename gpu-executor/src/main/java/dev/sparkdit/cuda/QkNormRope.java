package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

/**
 * Fused split + per-head RMSNorm of q and k + rotary embedding + scatter into head-major buffers
 * (kernels in qk_norm_rope.cu). One warp per (token, head).
 *
 * <pre>
 *   qk_norm_rope_t_rope_r(const T* qkv, i64 ldQkv, const T* normQ, const T* normK, f32 eps,
 *                         const R* cos, i64 ldCos, const R* sin, i64 ldSin,
 *                         T* q, T* k, T* v, i32 S, i32 H, i32 Dh, i32 hpg, i64 gs, i64 hs, i64 rs,
 *                         i64 seqOffset)
 *
 *   qkv row s (stride ldQkv): | q head 0 .. H-1 (H*Dh) | k head 0 .. H-1 (H*Dh) | v head 0 .. H-1 (H*Dh) |
 *   cos/sin row s (strides ldCos/ldSin): Dh values, pairs (2i, 2i+1) rotate together
 *   q, k, v: [H, Stot, Dh] or [G, H/G, Stot, Dh], any strides with a contiguous head dim, the same for all
 *   three; (s, h) goes to element (h/hpg)*gs + (h%hpg)*hs + (seqOffset + s)*rs ({@link Layout})
 *   grid ceil(S*H / 8), block 256
 *   dtype pairs (T, R): (f32, f32), (bf16, f32), (bf16, bf16)
 * </pre>
 */
public final class QkNormRope {
    static final int BLOCK = 256;
    private final KernelModule module;
    private final CudaStream stream;

    public QkNormRope(KernelModule module, CudaStream stream) {
        this.module = module;
        this.stream = stream;
    }

    public static String kernelName(DType qkv, DType rope) {
        return "qk_norm_rope_" + Matrix.suffix(qkv) + "_rope" + Matrix.suffix(rope);
    }

    /** The Dh = 128 bf16 kernel with vector loads and stores (see {@link #vectorizable}). */
    public static String d128KernelName(DType rope) {
        return "qk_norm_rope_bf16_d128_rope" + Matrix.suffix(rope);
    }

    /**
     * Where (s, h) lands in q, k and v: {@code (h / hpg) * gs + (h % hpg) * hs + (seqOffset + s) * rs}
     * elements. {@code [H, Stot, Dh]} views have one group ({@code hpg = H}); {@code [G, H/G, Stot, Dh]}
     * views place each group of heads apart (Ulysses' peer window: each group in its owner's part).
     */
    record Layout(long heads, long hpg, long gs, long hs, long rs, long stot, long dh) {
        static Layout of(Tensor q, Tensor k, Tensor v) {
            int r = q.rank();
            if (r != 3 && r != 4) {
                throw new IllegalArgumentException("qkNormRope: q must be [H, Stot, Dh] or [G, H/G, Stot, Dh], got " + q);
            }
            for (Tensor t : new Tensor[] {k, v}) {
                if (!java.util.Arrays.equals(t.shape(), q.shape()) || !java.util.Arrays.equals(t.strides(), q.strides())) {
                    throw new IllegalArgumentException("qkNormRope: k and v must have q's shape and strides; q " + q
                            + ", got " + t);
                }
            }
            if (q.stride(r - 1) != 1) {
                throw new IllegalArgumentException("qkNormRope: q's head dim must be contiguous, got " + q);
            }
            long g = r == 4 ? q.dim(0) : 1;
            long hpg = q.dim(r - 3);
            return new Layout(g * hpg, hpg, r == 4 ? q.stride(0) : 0, q.stride(r - 3), q.stride(r - 2), q.dim(r - 2),
                    q.dim(r - 1));
        }

        boolean stridesMultipleOf(long n) {
            return gs % n == 0 && hs % n == 0 && rs % n == 0;
        }
    }

    /** bf16, Dh = 128, and every operand aligned for the d128 kernel's 8- and 16-byte accesses. */
    static boolean vectorizable(Tensor qkv, Matrix mq, Tensor normQ, Tensor normK, Tensor cos, Matrix mc, Tensor sin,
                                Matrix ms, Tensor q, Tensor k, Tensor v, Layout l) {
        long ropeAlign = cos.dtype() == DType.F32 ? 16 : 8;
        long ropeLd = 4;  // 4 elements: 16 bytes of f32, 8 of bf16
        return qkv.dtype() == DType.BF16 && l.dh() == 128 && mq.ld() % 4 == 0 && qkv.address() % 8 == 0
                && normQ.address() % 8 == 0 && normK.address() % 8 == 0
                && q.address() % 8 == 0 && k.address() % 8 == 0 && v.address() % 8 == 0 && l.stridesMultipleOf(4)
                && mc.ld() % ropeLd == 0 && ms.ld() % ropeLd == 0
                && cos.address() % ropeAlign == 0 && sin.address() % ropeAlign == 0;
    }

    public void run(Tensor qkv, Tensor normQ, Tensor normK, float eps, Tensor cos, Tensor sin, Tensor q, Tensor k,
                    Tensor v, long seqOffset) {
        for (Tensor t : new Tensor[] {qkv, normQ, normK, cos, sin, q, k, v}) {
            Matrix.requireCuda(t, "qkNormRope operand");
        }
        Matrix.requireDType(qkv, "qkNormRope qkv", DType.F32, DType.BF16);
        for (Tensor t : new Tensor[] {normQ, normK, q, k, v}) {
            if (t.dtype() != qkv.dtype()) {
                throw new IllegalArgumentException("qkNormRope: norm weights and q/k/v must have qkv's dtype "
                        + qkv.dtype() + ", got " + t);
            }
        }
        if (cos.dtype() != sin.dtype() || !(cos.dtype() == DType.F32 || cos.dtype() == qkv.dtype())) {
            throw new IllegalArgumentException("qkNormRope: cos/sin must both be F32 or " + qkv.dtype() + ", got cos "
                    + cos + ", sin " + sin);
        }
        Layout l = Layout.of(q, k, v);
        long h = l.heads(), stot = l.stot(), dh = l.dh();
        if (dh % 2 != 0) {
            throw new IllegalArgumentException("qkNormRope: head dim must be even for rotary pairs, got " + q);
        }
        Matrix mq = Matrix.of(qkv, "qkNormRope qkv");
        if (qkv.rank() != 2 || mq.cols() != 3 * h * dh) {
            throw new IllegalArgumentException("qkNormRope: qkv must be [S, 3*H*Dh] = [S, " + 3 * h * dh + "] for q " + q
                    + ", got " + qkv);
        }
        long s = mq.rows();
        if (normQ.numel() != dh || normK.numel() != dh) {
            throw new IllegalArgumentException("qkNormRope: norm weights must be [" + dh + "], got " + normQ + ", "
                    + normK);
        }
        Matrix.requireContiguous(normQ, "qkNormRope normQ");
        Matrix.requireContiguous(normK, "qkNormRope normK");
        Matrix mc = Matrix.of(cos, "qkNormRope cos"), ms = Matrix.of(sin, "qkNormRope sin");
        if (mc.rows() != s || mc.cols() != dh || ms.rows() != s || ms.cols() != dh) {
            throw new IllegalArgumentException("qkNormRope: cos/sin must be [" + s + ", " + dh + "], got " + cos + ", "
                    + sin);
        }
        if (seqOffset < 0 || seqOffset + s > stot) {
            throw new IllegalArgumentException("qkNormRope: rows [" + seqOffset + ", " + (seqOffset + s)
                    + ") do not fit q " + q);
        }
        if (s == 0) {
            return;
        }
        boolean d128 = vectorizable(qkv, mq, normQ, normK, cos, mc, sin, ms, q, k, v, l);
        try (KernelArgs a = new KernelArgs().ptr(qkv).i64(mq.ld()).ptr(normQ).ptr(normK).f32(eps)
                .ptr(cos).i64(mc.ld()).ptr(sin).i64(ms.ld()).ptr(q).ptr(k).ptr(v).i32(s).i32(h)) {
            if (!d128) {
                a.i32(dh); // the d128 kernel has Dh built in
            }
            a.i32(l.hpg()).i64(l.gs()).i64(l.hs()).i64(l.rs()).i64(seqOffset);
            module.launch(d128 ? d128KernelName(cos.dtype()) : kernelName(qkv.dtype(), cos.dtype()),
                    Matrix.ceilDiv(s * h * 32, BLOCK), 1, 1, BLOCK, 0, stream, a);
        }
    }
}
