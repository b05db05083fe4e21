package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

/**
 * The launch {@link LayerNorm} and {@link RmsNorm} share (their kernels share row_norm.cuh): checks, the choice
 * among the three kernels of a norm, and the grid.
 *
 * <pre>
 *   NAME_t[_vec|_warp](T* out, i64 ldo, const T* x, i64 ldx, const T* w, const T* b, i32 cols, f32 eps, i64 rows)
 *   x, out: rows x cols row-strided; w, b: cols contiguous, or null
 *
 *   16-byte vectors possible (V = 8 bf16 / 4 fp32: cols % V == 0, ldx % V == 0, ldo % V == 0, x, out, w, b
 *   16-byte aligned):
 *     cols <= 32 * V * 8   NAME_t_warp   grid (ceil(rows / 8)), block 256: one warp per row, 8 rows per block,
 *                                        the row in registers (CLIP's 768: 3 bf16 vectors per lane)
 *     cols <= 256 * V * 4  NAME_t_vec    grid (rows), block 256: one block per row, the row in registers
 *                                        (T5's 4096: 2 bf16 / 4 fp32 vectors per thread)
 *   otherwise              NAME_t        grid (rows), block 256: one block per row, three passes over memory
 * </pre>
 */
final class RowNorm {
    static final int BLOCK = 256;
    static final int WARP_NV = 8;
    static final int BLOCK_NV = 4;

    private RowNorm() {
    }

    /** Kernel name suffixes, in {@link #kernelName} order. */
    static final String[] VARIANTS = {"", "_vec", "_warp"};

    static String kernelName(String op, DType dt, String variant) {
        return op + "_" + Matrix.suffix(dt) + variant;
    }

    /** Elements per 16-byte vector. */
    static int vector(DType dt) {
        return 16 / dt.bytes();
    }

    /** Which kernel runs x as rows x cols: "_warp", "_vec" or "" (see the class comment). */
    static String variant(Tensor out, Matrix mo, Tensor x, Matrix mx, Tensor w, Tensor b) {
        int v = vector(x.dtype());
        boolean aligned = mx.cols() % v == 0 && mx.ld() % v == 0 && mo.ld() % v == 0
                && (x.address() | out.address() | (w == null ? 0 : w.address()) | (b == null ? 0 : b.address())) % 16 == 0;
        if (!aligned) {
            return "";
        }
        if (mx.cols() <= 32L * v * WARP_NV) {
            return "_warp";
        }
        return mx.cols() <= (long) BLOCK * v * BLOCK_NV ? "_vec" : "";
    }

    static void run(KernelModule module, CudaStream stream, String op, Tensor out, Tensor x, Tensor w, Tensor b,
                    float eps) {
        Matrix.requireCuda(out, op + " out");
        Matrix.requireCuda(x, op + " x");
        Matrix.requireDType(x, op + " x", DType.F32, DType.BF16);
        if (out.dtype() != x.dtype()) {
            throw new IllegalArgumentException(op + " needs one dtype: x " + x + ", out " + out);
        }
        Matrix.requireSameShape(out, op + " out", x, "x");
        Matrix mo = Matrix.of(out, op + " out"), mx = Matrix.of(x, op + " x");
        for (Tensor p : new Tensor[] {w, b}) {
            if (p == null) {
                continue;
            }
            Matrix.requireCuda(p, op + " weight/bias");
            Matrix.requireContiguous(p, op + " weight/bias");
            if (p.dtype() != x.dtype() || p.numel() != mx.cols()) {
                throw new IllegalArgumentException(op + ": weight and bias must hold " + mx.cols() + " values of "
                        + x.dtype() + " (x " + x + "), got " + p);
            }
        }
        if (!(eps >= 0f) || !Float.isFinite(eps)) {
            throw new IllegalArgumentException(op + ": eps must be finite and >= 0, got " + eps);
        }
        if (mx.rows() == 0 || mx.cols() == 0) {
            return;
        }
        if (mx.cols() > Integer.MAX_VALUE || mx.rows() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + mx.rows() + " rows of " + mx.cols() + " columns exceed the"
                    + " grid (x " + x + ")");
        }
        String variant = variant(out, mo, x, mx, w, b);
        long grid = variant.equals("_warp") ? Matrix.ceilDiv(mx.rows(), BLOCK / 32) : mx.rows();
        try (KernelArgs k = new KernelArgs().ptr(out).i64(mo.ld()).ptr(x).i64(mx.ld()).ptr(w).ptr(b).i32(mx.cols())
                .f32(eps).i64(mx.rows())) {
            module.launch(kernelName(op, x.dtype(), variant), grid, 1, 1, BLOCK, 0, stream, k);
        }
    }
}
