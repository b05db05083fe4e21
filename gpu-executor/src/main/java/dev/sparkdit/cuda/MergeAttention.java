package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

/**
 * Ring-attention merge in fp32 (kernel merge_attention_f32 in merge_attention.cu):
 * {@code out = out - sigmoid(lseB - lse) * (out - outB)}, {@code lse = lse - logsigmoid(lse - lseB)},
 * with -inf log-sum-exps (empty blocks) handled.
 *
 * <pre>
 *   merge_attention_f32(f32* out, i64 ldo, f32* lse, i64 ldLse, const f32* outB, i64 ldoB,
 *                       const f32* lseB, i64 ldLseB, i32 S, i32 H, i32 Dh)
 *   out, outB: [S, H*Dh] row-strided (head h of token s at column h*Dh)
 *   lse, lseB: [H, S] row-strided
 *   grid ceil(S*H / 8), block 256: one warp per (s, h)
 * </pre>
 */
public final class MergeAttention {
    private final KernelModule module;
    private final CudaStream stream;

    public MergeAttention(KernelModule module, CudaStream stream) {
        this.module = module;
        this.stream = stream;
    }

    public static final String KERNEL = "merge_attention_f32";

    public void run(Tensor out, Tensor lse, Tensor outB, Tensor lseB) {
        for (Tensor t : new Tensor[] {out, lse, outB, lseB}) {
            Matrix.requireCuda(t, "mergeAttention operand");
            Matrix.requireDType(t, "mergeAttention operand", DType.F32);
        }
        if (lse.rank() != 2 || out.rank() != 2) {
            throw new IllegalArgumentException("mergeAttention: out must be [S, H*Dh] and lse [H, S], got " + out
                    + ", " + lse);
        }
        long h = lse.dim(0), s = lse.dim(1);
        Matrix.requireSameShape(lse, "mergeAttention lse", lseB, "lseB");
        Matrix.requireSameShape(out, "mergeAttention out", outB, "outB");
        if (out.dim(0) != s || h == 0 || out.dim(1) % h != 0) {
            throw new IllegalArgumentException("mergeAttention: out " + out + " does not match lse [H, S] " + lse);
        }
        long dh = out.dim(1) / h;
        Matrix mo = Matrix.of(out, "mergeAttention out"), mob = Matrix.of(outB, "mergeAttention outB");
        Matrix ml = Matrix.of(lse, "mergeAttention lse"), mlb = Matrix.of(lseB, "mergeAttention lseB");
        if (s == 0) {
            return;
        }
        try (KernelArgs a = new KernelArgs().ptr(out).i64(mo.ld()).ptr(lse).i64(ml.ld()).ptr(outB).i64(mob.ld())
                .ptr(lseB).i64(mlb.ld()).i32(s).i32(h).i32(dh)) {
            module.launch(KERNEL, Matrix.ceilDiv(s * h * 32, 256), 1, 1, 256, 0, stream, a);
        }
    }
}
