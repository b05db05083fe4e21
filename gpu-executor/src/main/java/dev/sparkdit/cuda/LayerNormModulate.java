package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

/**
 * {@code out[S, D] = LN(x)[S, D] * (1 + scale[D]) + shift[D]}, LayerNorm without affine parameters,
 * fp32 mean and (biased) variance computed in two passes (kernels in layer_norm_modulate.cu).
 *
 * <pre>
 *   layer_norm_modulate_t(T* out, i64 ldo, const T* x, i64 ldx, const T* shift, const T* scale, i32 cols, f32 eps)
 *   x, out: rows x cols row-strided; shift, scale: cols contiguous
 *   grid (rows), block 256: one block per row
 *   bf16 with cols % 8 == 0, ldo % 8 == 0, ldx % 8 == 0, 16-byte aligned bases and cols <= 16384:
 *   layer_norm_modulate_bf16_vec8, 16-byte loads/stores, the row kept in registers (read once)
 *   layer_norm_modulate_bf16_warp, as vec8 with one warp per row (rows up to 3072 columns): at FLUX's
 *   [4608, 3072] on an H200 vec8 moved 1.3 TB/s
 * </pre>
 */
public final class LayerNormModulate {
    static final int BLOCK = 256;
    private final KernelModule module;
    private final CudaStream stream;

    public LayerNormModulate(KernelModule module, CudaStream stream) {
        this.module = module;
        this.stream = stream;
    }

    /** One warp per row, 8 rows per block: bf16 rows of up to {@value #WARP_MAX_COLS} columns. */
    public static final String WARP_KERNEL = "layer_norm_modulate_bf16_warp";
    static final int WARP_MAX_COLS = 8 * 32 * 12;

    /** {@code vec8}: the 16-byte-vector bf16 variant. */
    public static String kernelName(DType dt, boolean vec8) {
        if (vec8 && dt != DType.BF16) {
            throw new IllegalArgumentException("the vec8 layer norm is bf16 only, not " + dt);
        }
        return "layer_norm_modulate_" + Matrix.suffix(dt) + (vec8 ? "_vec8" : "");
    }

    public void run(Tensor out, Tensor x, Tensor shift, Tensor scale, float eps) {
        for (Tensor t : new Tensor[] {out, x, shift, scale}) {
            Matrix.requireCuda(t, "layerNormModulate operand");
            Matrix.requireDType(t, "layerNormModulate operand", DType.F32, DType.BF16);
            if (t.dtype() != x.dtype()) {
                throw new IllegalArgumentException("layerNormModulate needs one dtype: x " + x + ", got " + t);
            }
        }
        Matrix.requireSameShape(out, "layerNormModulate out", x, "x");
        Matrix mo = Matrix.of(out, "layerNormModulate out"), mx = Matrix.of(x, "layerNormModulate x");
        Matrix msh = Matrix.of(shift, "layerNormModulate shift"), msc = Matrix.of(scale, "layerNormModulate scale");
        if (msh.rows() != 1 || msh.cols() != mx.cols() || msc.rows() != 1 || msc.cols() != mx.cols()) {
            throw new IllegalArgumentException("layerNormModulate shift and scale must hold " + mx.cols()
                    + " values (x " + x + "), got shift " + shift + ", scale " + scale);
        }
        if (mx.rows() == 0 || mx.cols() == 0) {
            return;
        }
        if (mx.rows() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("layerNormModulate: too many rows in " + x);
        }
        boolean vec = x.dtype() == DType.BF16 && mx.cols() % 8 == 0 && mx.ld() % 8 == 0 && mo.ld() % 8 == 0
                && mx.cols() <= 8L * 8 * BLOCK
                && (x.address() | out.address() | shift.address() | scale.address()) % 16 == 0;
        if (vec && mx.cols() <= WARP_MAX_COLS) {
            try (KernelArgs k = new KernelArgs().ptr(out).i64(mo.ld()).ptr(x).i64(mx.ld()).ptr(shift).ptr(scale)
                    .i32(mx.cols()).f32(eps).i64(mx.rows())) {
                module.launch(WARP_KERNEL, Matrix.ceilDiv(mx.rows(), BLOCK / 32), 1, 1, BLOCK, 0, stream, k);
            }
            return;
        }
        String name = kernelName(x.dtype(), vec);
        try (KernelArgs k = new KernelArgs().ptr(out).i64(mo.ld()).ptr(x).i64(mx.ld()).ptr(shift).ptr(scale)
                .i32(mx.cols()).f32(eps)) {
            module.launch(name, mx.rows(), 1, 1, BLOCK, 0, stream, k);
        }
    }
}
