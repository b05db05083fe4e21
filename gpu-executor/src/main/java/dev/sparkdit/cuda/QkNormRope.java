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
 *                         T* q, T* k, T* v, i32 S, i32 H, i32 Dh, i64 Stot, i64 seqOffset)
 *
 *   qkv row s (stride ldQkv): | q head 0 .. H-1 (H*Dh) | k head 0 .. H-1 (H*Dh) | v head 0 .. H-1 (H*Dh) |
 *   cos/sin row s (strides ldCos/ldSin): Dh values, pairs (2i, 2i+1) rotate together
 *   q, k, v: contiguous [H, Stot, Dh]; (s, h) goes to element ((h*Stot + seqOffset + s) * Dh)
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

    /** bf16, Dh = 128, and every operand aligned for the d128 kernel's 8- and 16-byte accesses. */
    static boolean vectorizable(Tensor qkv, Matrix mq, Tensor normQ, Tensor normK, Tensor cos, Matrix mc, Tensor sin,
                                Matrix ms, Tensor q, Tensor k, Tensor v, long dh) {
        long ropeAlign = cos.dtype() == DType.F32 ? 16 : 8;
        long ropeLd = 4;  // 4 elements: 16 bytes of f32, 8 of bf16
        return qkv.dtype() == DType.BF16 && dh == 128 && mq.ld() % 4 == 0 && qkv.address() % 8 == 0
                && normQ.address() % 8 == 0 && normK.address() % 8 == 0
                && q.address() % 8 == 0 && k.address() % 8 == 0 && v.address() % 8 == 0
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
        if (q.rank() != 3) {
            throw new IllegalArgumentException("qkNormRope: q must be [H, Stot, Dh], got " + q);
        }
        long h = q.dim(0), stot = q.dim(1), dh = q.dim(2);
        q.requireShape("qkNormRope q", h, stot, dh);
        k.requireShape("qkNormRope k", h, stot, dh);
        v.requireShape("qkNormRope v", h, stot, dh);
        Matrix.requireContiguous(q, "qkNormRope q");
        Matrix.requireContiguous(k, "qkNormRope k");
        Matrix.requireContiguous(v, "qkNormRope v");
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
        if (vectorizable(qkv, mq, normQ, normK, cos, mc, sin, ms, q, k, v, dh)) {
            try (KernelArgs a = new KernelArgs().ptr(qkv).i64(mq.ld()).ptr(normQ).ptr(normK).f32(eps)
                    .ptr(cos).i64(mc.ld()).ptr(sin).i64(ms.ld()).ptr(q).ptr(k).ptr(v)
                    .i32(s).i32(h).i64(stot).i64(seqOffset)) {
                module.launch(d128KernelName(cos.dtype()), Matrix.ceilDiv(s * h * 32, BLOCK), 1, 1, BLOCK, 0, stream, a);
            }
            return;
        }
        String name = kernelName(qkv.dtype(), cos.dtype());
        try (KernelArgs a = new KernelArgs().ptr(qkv).i64(mq.ld()).ptr(normQ).ptr(normK).f32(eps)
                .ptr(cos).i64(mc.ld()).ptr(sin).i64(ms.ld()).ptr(q).ptr(k).ptr(v)
                .i32(s).i32(h).i32(dh).i64(stot).i64(seqOffset)) {
            module.launch(name, Matrix.ceilDiv(s * h * 32, BLOCK), 1, 1, BLOCK, 0, stream, a);
        }
    }
}
