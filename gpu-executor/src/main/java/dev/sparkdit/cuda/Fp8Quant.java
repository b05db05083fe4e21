package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

/**
 * FP8 (e4m3) quantisation of a head-split bf16 tensor for the FP8 all-to-all, one fp32 scale per
 * (token, head): {@code scale = amax / 448}, {@code q = satfinite_e4m3(x * (448 / amax))} (all-zero
 * heads get scale 0 and zeros); dequantisation {@code x = e4m3(q) * scale} (kernels in fp8_quant.cu).
 *
 * <pre>
 *   fp8_quantize_bf16(u8* q, f32* scale, const bf16* x, i64 rows, i32 Dh)
 *   fp8_dequantize_bf16(bf16* x, const u8* q, const f32* scale, i64 rows, i32 Dh)
 *   x, q: contiguous [S, H, Dh] = rows (S*H) x Dh; scale: contiguous [S, H]
 *   quantize: grid ceil(rows / 8), block 256 (one warp per row); dequantize: grid ceil(rows*Dh / 256)
 * </pre>
 */
public final class Fp8Quant {
    private final KernelModule module;
    private final CudaStream stream;

    public Fp8Quant(KernelModule module, CudaStream stream) {
        this.module = module;
        this.stream = stream;
    }

    public static final String QUANTIZE_KERNEL = "fp8_quantize_bf16";
    public static final String DEQUANTIZE_KERNEL = "fp8_dequantize_bf16";
    public static final String QUANTIZE_ROWS_KERNEL = "fp8_quantize_rows_bf16";
    /** Rows of up to {@value #SHORT_ROW} elements: fewer registers, more blocks per SM (1.4x faster at K = 3072). */
    public static final String QUANTIZE_SHORT_ROWS_KERNEL = "fp8_quantize_rows_bf16_short";
    static final long SHORT_ROW = 4096;
    /**
     * Shorter groups go to {@link #QUANTIZE_KERNEL}, one warp per group. The row kernels give each row a block
     * of 256 threads. For the FP8 all-to-all's groups of one head (128 elements) that left 8 threads of 256
     * busy, and Ulysses 2 with FP8 communication went from 79.1 ms per step (seventh session) to 88.8-90.1
     * (4 x H200 and 2 x H200, ninth session).
     */
    static final long ROWS_MIN_K = 1024;

    /**
     * One scale per row, for FP8 GEMM operands: {@code x [M, K]} bf16, {@code q [M, K]} e4m3,
     * {@code scale [M]} (or {@code [M, 1]}) fp32; all contiguous, K a multiple of 8. A block per row with
     * 16-byte loads: {@link #quantize}'s warp per group leaves most of the bandwidth unused at K = 3072.
     */
    public void quantizeRows(Tensor q, Tensor scale, Tensor x) {
        requireOperands(q, scale, x);
        if (!rowsFit(q, x)) {
            throw new IllegalArgumentException("fp8 rows: x must be [M, K] with K a multiple of 8, x 16-byte and q"
                    + " 8-byte aligned; got x " + x + ", q " + q);
        }
        Matrix.requireSameShape(q, "fp8 rows q", x, "x");
        if (scale.numel() != x.dim(0)) {
            throw new IllegalArgumentException("fp8 rows: scale must hold " + x.dim(0) + " rows, got " + scale);
        }
        if (x.dim(0) == 0) {
            return;
        }
        try (KernelArgs a = new KernelArgs().ptr(q).ptr(scale).ptr(x).i64(x.dim(0)).i32((int) x.dim(1))) {
            module.launch(x.dim(1) <= SHORT_ROW ? QUANTIZE_SHORT_ROWS_KERNEL : QUANTIZE_ROWS_KERNEL, x.dim(0), 1, 1, 256,
                    0, stream, a);
        }
    }

    public void quantize(Tensor q, Tensor scale, Tensor x) {
        long[] rd = check(q, scale, x);
        if (rd[0] == 0) {
            return;
        }
        try (KernelArgs a = new KernelArgs().ptr(q).ptr(scale).ptr(x).i64(rd[0]).i32(rd[1])) {
            module.launch(QUANTIZE_KERNEL, Matrix.ceilDiv(rd[0] * 32, 256), 1, 1, 256, 0, stream, a);
        }
    }

    public void dequantize(Tensor x, Tensor q, Tensor scale) {
        long[] rd = check(q, scale, x);
        if (rd[0] == 0) {
            return;
        }
        try (KernelArgs a = new KernelArgs().ptr(x).ptr(q).ptr(scale).i64(rd[0]).i32(rd[1])) {
            module.launch(DEQUANTIZE_KERNEL, Matrix.ceilDiv(rd[0] * rd[1], 256), 1, 1, 256, 0, stream, a);
        }
    }

    /** Whether {@link #quantizeRows} takes {@code x [M, K]}: K a multiple of 8, x 16-byte and q 8-byte aligned. */
    static boolean rowsFit(Tensor q, Tensor x) {
        return x.rank() == 2 && x.dim(1) % 8 == 0 && x.address() % 16 == 0 && q.address() % 8 == 0;
    }

    /**
     * Whether quantizing {@code x [M, K]} in groups of {@code group} should take the row kernels: one group per
     * row, a contiguous bf16 row that {@link #rowsFit}, and rows of at least {@link #ROWS_MIN_K} elements
     * (GEMM activations, K = 3072 .. 15360 in FLUX); anything else takes the warp-per-group kernel.
     */
    static boolean useRows(Tensor q, Tensor x, int group) {
        return x.rank() == 2 && group == x.dim(1) && group >= ROWS_MIN_K && x.dtype() == DType.BF16
                && x.isContiguous() && rowsFit(q, x);
    }

    /** On this GPU, contiguous, bf16 x, e4m3 (or raw byte) q, fp32 scales. */
    private static void requireOperands(Tensor q, Tensor scale, Tensor x) {
        for (Tensor t : new Tensor[] {q, scale, x}) {
            Matrix.requireCuda(t, "fp8 operand");
            Matrix.requireContiguous(t, "fp8 operand");
        }
        Matrix.requireDType(x, "fp8 x", DType.BF16);
        Matrix.requireDType(q, "fp8 q", DType.F8_E4M3, DType.U8);
        Matrix.requireDType(scale, "fp8 scale", DType.F32);
    }

    /** Returns {rows, Dh}. */
    private static long[] check(Tensor q, Tensor scale, Tensor x) {
        requireOperands(q, scale, x);
        if (x.rank() != 3) {
            throw new IllegalArgumentException("fp8: x must be [S, H, Dh], got " + x);
        }
        Matrix.requireSameShape(q, "fp8 q", x, "x");
        scale.requireShape("fp8 scale", x.dim(0), x.dim(1));
        return new long[] {x.dim(0) * x.dim(1), x.dim(2)};
    }
}
