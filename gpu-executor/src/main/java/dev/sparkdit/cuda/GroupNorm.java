package dev.sparkdit.cuda;

import dev.sparkdit.ops.Activation;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

/**
 * GroupNorm of a channels-last image, then an optional activation (the VAE's {@code GroupNorm} + SiLU):
 * {@code x, out [P, C]}, G groups of {@code cpg = C / G} consecutive channels, each normalised over all its
 * pixels and channels with fp32 statistics, {@code y = act((x - mean_g) * rstd_g * weight[c] + bias[c])}.
 * Three launches (kernels in group_norm.cu); the reduction over pixels is grid-wide, its partial results in a
 * workspace from the scratch arena (mark / reset):
 *
 * <pre>
 *   W = channels per thread and access: 8 (bf16), 4 or 1, the largest dividing cpg with x and out rows W-aligned
 *       (ldx, ldo multiples of W, addresses multiples of 2W or 4W bytes); U = C / W threads per pixel row
 *       (at most 1024), R = max(1, 256 / U) pixel rows per step, block U * R threads
 *   1. group_norm_stats_t_wW(const T* x, i64 ldx, i64 P, i32 C, i32 cpg, f32* partial)
 *        grid (nb), nb = min(ceil(P / R), 4 * SMs * max(1, 2048 / block)), dynamic shared memory 12 * block bytes
 *        partial [G][nb][3] fp32 = (count, mean, M2) per block and group: Welford per thread, Chan across
 *   2. group_norm_finalize(const f32* partial, i32 nb, f32 eps, f32* stats)
 *        grid (G), block 256: stats [G][2] fp32 = (mean, rstd), partials combined in fp64
 *   3. group_norm_apply_t_wW(T* out, i64 ldo, const T* x, i64 ldx, i64 P, i32 C, i32 cpg, const f32* stats,
 *                            const T* w, const T* b, i32 act)
 *        grid (min(ceil(P / R), 8 * SMs * max(1, 2048 / block))), block U * R; in place allowed
 *
 *   VAE at 1024 x 1024 (bf16, G = 32): C = 128 (cpg 4): W = 4, U = 32, R = 8; C = 512 (cpg 16): W = 8, U = 64, R = 4
 * </pre>
 */
public final class GroupNorm {
    static final int ROWS_THREADS = 256;
    public static final String FINALIZE_KERNEL = "group_norm_finalize";
    private final KernelModule module;
    private final CudaStream stream;
    private final Arena scratch;

    public GroupNorm(KernelModule module, CudaStream stream, Arena scratch) {
        this.module = module;
        this.stream = stream;
        this.scratch = scratch;
    }

    public static String statsKernel(DType dt, int w) {
        return "group_norm_stats_" + Matrix.suffix(dt) + "_w" + w;
    }

    public static String applyKernel(DType dt, int w) {
        return "group_norm_apply_" + Matrix.suffix(dt) + "_w" + w;
    }

    /** The vector widths each dtype has kernels for, widest first. */
    static int[] widths(DType dt) {
        return dt == DType.BF16 ? new int[] {8, 4, 1} : new int[] {4, 1};
    }

    /** W of the class comment. */
    static int width(DType dt, long cpg, Tensor x, Matrix mx, Tensor out, Matrix mo) {
        for (int w : widths(dt)) {
            long bytes = (long) w * dt.bytes();
            if (cpg % w == 0 && mx.ld() % w == 0 && mo.ld() % w == 0 && x.address() % bytes == 0
                    && out.address() % bytes == 0) {
                return w;
            }
        }
        return 1;
    }

    public void run(Tensor out, Tensor x, Tensor weight, Tensor bias, int groups, float eps, Activation act) {
        for (Tensor t : new Tensor[] {out, x, weight, bias}) {
            if (t == null) {
                throw new IllegalArgumentException("groupNorm: out, x, weight and bias are required, got out " + out
                        + ", x " + x + ", weight " + weight + ", bias " + bias);
            }
            Matrix.requireCuda(t, "groupNorm operand");
            Matrix.requireDType(t, "groupNorm operand", DType.F32, DType.BF16);
            if (t.dtype() != x.dtype()) {
                throw new IllegalArgumentException("groupNorm needs one dtype: x " + x + ", got " + t);
            }
        }
        if (x.rank() != 2) {
            throw new IllegalArgumentException("groupNorm: x must be [pixels, C], got " + x);
        }
        Matrix.requireSameShape(out, "groupNorm out", x, "x");
        Matrix mx = Matrix.of(x, "groupNorm x"), mo = Matrix.of(out, "groupNorm out");
        long p = mx.rows(), c = mx.cols();
        if (groups < 1 || c % groups != 0) {
            throw new IllegalArgumentException("groupNorm: C = " + c + " channels do not split into " + groups
                    + " groups (x " + x + ")");
        }
        for (Tensor t : new Tensor[] {weight, bias}) {
            Matrix.requireContiguous(t, "groupNorm weight/bias");
            if (t.numel() != c) {
                throw new IllegalArgumentException("groupNorm: weight and bias must hold C = " + c + " values, got " + t);
            }
        }
        if (!(eps >= 0f) || !Float.isFinite(eps)) {
            throw new IllegalArgumentException("groupNorm: eps must be finite and >= 0, got " + eps);
        }
        if (p == 0 || c == 0) {
            return;
        }
        long cpg = c / groups;
        int w = width(x.dtype(), cpg, x, mx, out, mo);
        long u = c / w;
        if (u > 1024) {
            throw new IllegalArgumentException("groupNorm: " + c + " channels in vectors of " + w + " need " + u
                    + " threads per pixel, more than a block's 1024 (x " + x + ", " + groups + " groups)");
        }
        long r = Math.max(1, ROWS_THREADS / u);
        int block = (int) (u * r);
        int perSm = Math.max(1, 2048 / block);
        int sms = module.device().smCount();
        long nb = Math.min(Matrix.ceilDiv(p, r), 4L * sms * perSm);
        long applyGrid = Math.min(Matrix.ceilDiv(p, r), 8L * sms * perSm);
        long mark = scratch.mark();
        try {
            Tensor partial = scratch.allocate(DType.F32, groups, nb, 3);
            Tensor stats = scratch.allocate(DType.F32, groups, 2);
            try (KernelArgs k = new KernelArgs().ptr(x).i64(mx.ld()).i64(p).i32(c).i32(cpg).ptr(partial)) {
                module.launch(statsKernel(x.dtype(), w), nb, 1, 1, block, 12 * block, stream, k);
            }
            try (KernelArgs k = new KernelArgs().ptr(partial).i32(nb).f32(eps).ptr(stats)) {
                module.launch(FINALIZE_KERNEL, groups, 1, 1, 256, 0, stream, k);
            }
            try (KernelArgs k = new KernelArgs().ptr(out).i64(mo.ld()).ptr(x).i64(mx.ld()).i64(p).i32(c).i32(cpg)
                    .ptr(stats).ptr(weight).ptr(bias).i32(act.ordinal())) {
                module.launch(applyKernel(x.dtype(), w), applyGrid, 1, 1, block, 0, stream, k);
            }
        } finally {
            scratch.reset(mark);
        }
    }
}
