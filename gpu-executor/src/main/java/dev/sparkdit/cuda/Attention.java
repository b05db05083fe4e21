package dev.sparkdit.cuda;

import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

import java.util.List;

/**
 * Flash-attention forward without mask, returning the log-sum-exp (kernels in attention.cu and attention_ws.cu):
 * {@code out[Sq, H*Dh] = softmax(q k^T * scale) v} head by head, {@code lse[h, i] = log sum_j exp(scale q_i.k_j)}.
 *
 * <pre>
 *   attention_{bf16|f32}_d{Dh}_out{bf16|f32}(
 *       TO* out, i64 ldo, f32* lse, i64 ldLse,
 *       const TI* q, i64 qHeadStride, i64 qRowStride,
 *       const TI* k, i64 kHeadStride, i64 kRowStride,
 *       const TI* v, i64 vHeadStride, i64 vRowStride,
 *       i32 Sq, i32 Sk, f32 scale)
 *
 *   q [H, Sq, Dh]: element (h, i, d) at q + h*qHeadStride + i*qRowStride + d   (k, v likewise, Sk rows)
 *   out [Sq, H*Dh]: element (i, h, d) at out + i*ldo + h*Dh + d                 (fp32 or bf16)
 *   lse [H, Sq]:    element (h, i) at lse + h*ldLse + i, fp32; null pointer to skip
 *
 *   bf16: tensor cores (mma.sync m16n8k16, fp32 accumulate), block = NW warps x 16 query rows,
 *         NW = 8 for Dh = 128 else 4; grid (ceil(Sq / (16 NW)), H);
 *         dynamic shared memory (16 NW + 128) * (Dh + 8) * 2 bytes (69,632 for Dh = 128: opt-in above 48 KB);
 *         needs row/head strides % 8 == 0 and 16-byte aligned q/k/v (cp.async 16-byte copies)
 *   f32:  one warp per query row, 32-key tiles; grid (ceil(Sq / 8), H), block 256, static shared memory
 *   Dh in {32, 64, 128}
 * </pre>
 *
 * <p>Variants of the bf16 kernel for Dh = 128, chosen by {@link CudaOptions#attentionVariant()} (default
 * {@link #DEFAULT_VARIANT}) or per call by {@link #run(Tensor, Tensor, Tensor, Tensor, Tensor, float, String)}.
 * Other dtypes and head dims always use v1. Kernel names: {@link #d128KernelName}.
 * <pre>
 *   v1:  attention_bf16_d128_out{t}      8 warps x 16 rows, 64-key tiles, 69,632 B shared memory
 *   v2:  attention_bf16_d128_v2_out{t}   4 warps x 32 rows, 64-key tiles, K/V double-buffered, 104,448 B;
 *        grid (ceil(Sq / 128), H), block 128; out row stride even
 *   v11: attention_bf16_d128_v11_out{t}  (attention_ws.cu) warp-specialised as FA3: a producer warpgroup loads
 *        Q and 128-key K/V tiles (cp.async, 3 stages, mbarriers), two consumer warpgroups x 64 rows take turns
 *        at the tensor cores (named barriers); each holds its Q rows in registers, and its softmax of tile j
 *        overlaps the P V of tile j - 1 (a never-taken wait on the row sums keeps ptxas from hoisting the real
 *        one); S and P V are m64n128k16; 230,464 B, block 384, 1 block/SM; a 1D grid of
 *        {@link TailSplit#blocks()} blocks, the split tail merged by attention_split_merge_{t}; writes out in
 *        row parts.
 *        sm_90a only: on any other device (compute capability != 9.0), or with a fatbin that lacks the kernel,
 *        v2 runs instead
 * </pre>
 * H200, FLUX shape 24 x 4608 x 4608 x 128: v1 1.392 ms (188 TFLOP/s), v2 0.895 ms (292), median of 20 calls;
 * v11 0.433-0.435 ms, median of 100. The variants tried on the way from v2 to v11 (v3 .. v10) were removed;
 * their designs and figures are in docs/attention-notes.md.
 */
public final class Attention {
    /**
     * v11 (warp-specialised wgmma with Q in registers, Hopper; v2 elsewhere). Measured on one H200, FLUX shape,
     * 100 calls per median, three passes (ninth session): v11 0.435 / 0.434 / 0.433 ms against v10's 0.486 / 0.437
     * / 0.437 (12 heads: 0.223 / 0.223 / 0.223 against 0.252 / 0.226 / 0.225), the fastest in every pass and
     * bit-identical to v10, the default before it.
     */
    public static final String DEFAULT_VARIANT = "v11";
    /** Every variant name: the simplest, the default elsewhere, the Hopper default. */
    public static final List<String> VARIANTS = List.of("v1", "v2", "v11");

    private final KernelModule module;
    private final CudaStream stream;
    private final String variant;
    private final Arena scratch;
    private final boolean splitTail;

    /** Default options; without a scratch arena v11 never splits its tail (the split needs a workspace). */
    public Attention(KernelModule module, CudaStream stream) {
        this(module, stream, null);
    }

    /** Default options, see {@link #Attention(KernelModule, CudaStream, Arena, String, boolean)}. */
    public Attention(KernelModule module, CudaStream stream, Arena scratch) {
        this(module, stream, scratch, CudaOptions.DEFAULTS.attentionVariant(), CudaOptions.DEFAULTS.attentionSplitTail());
    }

    /**
     * {@code scratch}: where v11 takes the fp32 workspace of a {@link TailSplit} for the length of a call
     * (mark and reset; at most SMs x 4 x 66 KB, 35 MB on 132 SMs; {@code FluxTransformer.scratchBytes} counts
     * it); null, or too little room left in it: no split. {@code variant}: the kernel {@link #run} uses for bf16
     * at head dim 128; {@code splitTail} false runs v11 without {@link TailSplit} (for comparisons).
     */
    public Attention(KernelModule module, CudaStream stream, Arena scratch, String variant, boolean splitTail) {
        this.module = module;
        this.stream = stream;
        this.variant = checkVariant(variant);
        this.scratch = scratch;
        this.splitTail = splitTail;
    }

    static String checkVariant(String v) {
        if (!VARIANTS.contains(v)) {
            throw new IllegalArgumentException("attention variant must be one of " + VARIANTS + ", got '" + v + "'");
        }
        return v;
    }

    /** The variant {@link #run(Tensor, Tensor, Tensor, Tensor, Tensor, float)} uses. */
    public String variant() {
        return variant;
    }

    /** v1's kernel, and the only one for fp32 q/k/v or head dims 32 and 64. */
    public static String kernelName(DType in, long headDim, DType out) {
        return "attention_" + Matrix.suffix(in) + "_d" + headDim + "_out" + Matrix.suffix(out);
    }

    /** The bf16 head-dim-128 kernel of v2 or v11 (v1's is {@link #kernelName}). */
    public static String d128KernelName(String variant, DType out) {
        return "attention_bf16_d128_" + variant + "_out" + Matrix.suffix(out);
    }

    /** The kernel that merges v11's split tail units into {@code out} / {@code lse}. */
    public static String splitMergeKernelName(DType out) {
        return "attention_split_merge_" + Matrix.suffix(out);
    }

    public void run(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, float scale) {
        run(out, lse, q, k, v, scale, variant);
    }

    /**
     * {@code out [Sq, C]}, or {@code [parts, Sq / parts, C]}: the rows in consecutive equal parts that may lie
     * anywhere (dim 0's stride), as when each part is the peer window of the rank that owns those tokens.
     */
    private static void requireOutShape(Tensor out, long sq, long cols) {
        boolean ok = out.rank() == 2 ? out.dim(0) == sq && out.dim(1) == cols
                : out.rank() == 3 && out.dim(0) > 0 && out.dim(0) * out.dim(1) == sq && out.dim(2) == cols;
        if (!ok) {
            throw new IllegalArgumentException("attention: out must be [" + sq + ", " + cols + "] or [parts, " + sq
                    + " / parts, " + cols + "], got " + out);
        }
    }

    /**
     * How out's rows lie: {@code count} parts of {@code rows()}-strided rows, {@code stride} elements apart
     * (1 part, stride 0, when the leading dimensions collapse into evenly spaced rows).
     */
    private record Parts(long count, long stride, Matrix rows) {
        static Parts of(Tensor out) {
            if (Matrix.collapsible(out)) {
                return new Parts(1, 0, Matrix.of(out, "attention out"));
            }
            Tensor part = out.narrow(0, 0, 1);
            return new Parts(out.dim(0), out.stride(0), Matrix.of(part, "attention out part"));
        }
    }

    /**
     * Whether {@link #run} writes {@code out} (any shape {@link #requireOutShape} takes) itself for these
     * q: the v11 kernel on a Hopper writes rows in parts; every path writes a single part.
     */
    public boolean writesParts(Tensor out, Tensor q, String variant) {
        if (Matrix.collapsible(out)) {
            return true;
        }
        return q.dtype() == DType.BF16 && q.rank() == 3 && q.dim(2) == 128
                && variant.equals("v11") && pairAligned(out, Parts.of(out))
                && wgmmaAvailable(d128KernelName(variant, out.dtype()));
    }

    /** The Hopper and mma kernels store pairs of outputs: even row and part strides, aligned start. */
    private static boolean pairAligned(Tensor out, Parts parts) {
        return parts.rows().ld() % 2 == 0 && parts.stride() % 2 == 0
                && out.address() % (out.dtype() == DType.F32 ? 8 : 4) == 0;
    }

    /** {@link #writesParts(Tensor, Tensor, String)} with this launcher's variant. */
    public boolean writesParts(Tensor out, Tensor q) {
        return writesParts(out, q, variant);
    }

    /** v11 needs a Hopper (compute capability 9.0: the fatbin's sm_90a code) and its kernel in the fatbin. */
    private boolean wgmmaAvailable(String name) {
        return module.device().computeCapability() == 90 && module.hasFunction(name);
    }

    /** As {@link #run(Tensor, Tensor, Tensor, Tensor, Tensor, float)} with the given variant (of {@link #VARIANTS}). */
    public void run(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, float scale, String variant) {
        checkVariant(variant);
        for (Tensor t : new Tensor[] {out, q, k, v}) {
            Matrix.requireCuda(t, "attention operand");
        }
        Matrix.requireDType(q, "attention q", DType.BF16, DType.F32);
        if (k.dtype() != q.dtype() || v.dtype() != q.dtype()) {
            throw new IllegalArgumentException("attention: q, k, v need one dtype, got " + q + ", " + k + ", " + v);
        }
        Matrix.requireDType(out, "attention out", DType.BF16, DType.F32);
        if (q.rank() != 3 || k.rank() != 3 || v.rank() != 3) {
            throw new IllegalArgumentException("attention: q, k, v must be [H, S, Dh], got " + q + ", " + k + ", " + v);
        }
        long h = q.dim(0), sq = q.dim(1), dh = q.dim(2), sk = k.dim(1);
        k.requireShape("attention k", h, sk, dh);
        v.requireShape("attention v", h, sk, dh);
        requireOutShape(out, sq, h * dh);
        if (dh != 32 && dh != 64 && dh != 128) {
            throw new IllegalArgumentException("attention: head dim must be 32, 64 or 128, got " + dh + " in q " + q);
        }
        for (Tensor t : new Tensor[] {q, k, v, out}) {
            if (t.stride(-1) != 1) {
                throw new IllegalArgumentException("attention: last dimension must be contiguous, got " + t);
            }
        }
        Parts parts = Parts.of(out);
        Matrix mo = parts.rows();
        // Only the v11 launch below passes the parts on; every other kernel would write one part's rows.
        if (parts.count() > 1 && !writesParts(out, q, variant)) {
            throw new IllegalArgumentException("attention: out " + out + " comes in " + parts.count()
                    + " parts, which only the v11 kernel writes (bf16, head dim 128, Hopper, even row and part"
                    + " strides, aligned address); variant " + variant + ", q " + q);
        }
        long ldLse = 0;
        if (lse != null) {
            Matrix.requireCuda(lse, "attention lse");
            Matrix.requireDType(lse, "attention lse", DType.F32);
            lse.requireShape("attention lse", h, sq);
            ldLse = Matrix.of(lse, "attention lse").ld();
        }
        if (sq > Integer.MAX_VALUE || sk > Integer.MAX_VALUE || h > 65535) {
            throw new IllegalArgumentException("attention: sizes out of range: H " + h + ", Sq " + sq + ", Sk " + sk);
        }
        if (sq == 0 || h == 0) {
            return;
        }
        boolean bf16 = q.dtype() == DType.BF16;
        String name = kernelName(q.dtype(), dh, out.dtype());
        long rowsPerBlock;
        int block;
        int smem;
        if (bf16) {
            for (Tensor t : new Tensor[] {q, k, v}) {
                if (t.stride(0) % 8 != 0 || t.stride(1) % 8 != 0 || t.address() % 16 != 0) {
                    throw new IllegalArgumentException("attention (bf16): q/k/v need 16-byte aligned rows (strides % 8 == 0,"
                            + " address % 16 == 0), got " + t + " strides " + java.util.Arrays.toString(t.strides()));
                }
            }
            boolean pairAligned = pairAligned(out, parts);
            String v11Name = d128KernelName("v11", out.dtype());
            if (dh == 128 && variant.equals("v11") && pairAligned && wgmmaAvailable(v11Name)) {
                runWarpSpecialised(v11Name, out, mo, parts, lse, ldLse, q, k, v, sq, sk, h, scale);
                return;
            } else if (dh == 128 && !variant.equals("v1") && pairAligned) {
                int nw = 4, bn = 64;  // v2, and v11 where it cannot run (attention.cu's V2_NW, V2_BN)
                name = d128KernelName("v2", out.dtype());
                rowsPerBlock = 32L * nw;
                block = 32 * nw;
                smem = (int) ((32L * nw + 4L * bn) * (dh + 8) * 2);
            } else {
                int nw = dh == 128 ? 8 : 4;
                rowsPerBlock = 16L * nw;
                block = 32 * nw;
                smem = (int) ((16L * nw + 128) * (dh + 8) * 2);
            }
        } else {
            rowsPerBlock = 8;
            block = 256;
            smem = 0;
        }
        try (KernelArgs a = new KernelArgs().ptr(out).i64(mo.ld()).ptr(lse).i64(ldLse)
                .ptr(q).i64(q.stride(0)).i64(q.stride(1))
                .ptr(k).i64(k.stride(0)).i64(k.stride(1))
                .ptr(v).i64(v.stride(0)).i64(v.stride(1))
                .i32(sq).i32(sk).f32(scale)) {
            module.launch(name, Matrix.ceilDiv(sq, rowsPerBlock), h, 1, block, smem, stream, a);
        }
    }

    /**
     * v11 (attention_ws.cu): a 1D grid of {@link TailSplit#blocks()} blocks; with a split, the tail units'
     * partial results go to a workspace from {@link #scratch} and {@code attention_split_merge} writes them.
     */
    private void runWarpSpecialised(String name, Tensor out, Matrix mo, Parts parts, Tensor lse, long ldLse, Tensor q,
                                    Tensor k, Tensor v, long sq, long sk, long h, float scale) {
        long rowsPerPart = parts.count() > 1 ? out.dim(1) : sq;
        long tiles = h * Matrix.ceilDiv(sq, 128);
        TailSplit plan = splitTail && scratch != null
                ? TailSplit.plan(tiles, module.device().smCount(), Matrix.ceilDiv(sk, 128))
                : new TailSplit(tiles, 1, 0);
        if (plan.splits() > 1 && scratch.capacity() - scratch.used() < plan.partFloats() * 4 + Arena.ALIGNMENT) {
            plan = new TailSplit(tiles, 1, 0);  // no room for the workspace: whole tiles, slower but the same result
        }
        if (plan.blocks() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("attention: " + plan.blocks() + " blocks (H " + h + ", Sq " + sq + ") exceed the grid");
        }
        long mark = plan.splits() > 1 ? scratch.mark() : 0;
        try {
            Tensor part = plan.splits() > 1 ? scratch.allocate(DType.F32, plan.partFloats()) : null;
            int smem = 128 * 128 * 2 + 2 * 3 * 128 * 128 * 2 + 64 + 1024;  // Q, 3 x (K, V), barriers, slack
            try (KernelArgs a = new KernelArgs().ptr(out).i64(mo.ld()).ptr(lse).i64(ldLse)
                    .ptr(q).i64(q.stride(0)).i64(q.stride(1))
                    .ptr(k).i64(k.stride(0)).i64(k.stride(1))
                    .ptr(v).i64(v.stride(0)).i64(v.stride(1))
                    .i32(sq).i32(sk).f32(scale).i32(plan.fullTiles()).i32(plan.splits()).ptr(part)
                    .i32(rowsPerPart).i64(parts.stride())) {
                module.launch(name, plan.blocks(), 1, 1, 384, smem, stream, a);
            }
            if (part != null) {
                try (KernelArgs a = new KernelArgs().ptr(out).i64(mo.ld()).ptr(lse).i64(ldLse).ptr(part)
                        .i32(sq).i32(plan.fullTiles()).i32(plan.splits()).i32(plan.tailTiles())
                        .i32(rowsPerPart).i64(parts.stride())) {
                    module.launch(splitMergeKernelName(out.dtype()),
                            Matrix.ceilDiv(plan.tailTiles() * 128 * 32, 256), 1, 1, 256, 0, stream, a);
                }
            }
        } finally {
            if (plan.splits() > 1) {
                scratch.reset(mark);
            }
        }
    }
}
