package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

/**
 * {@code x[S, D] += gate[D] * y[S, D]} in place, fp32 arithmetic, one rounding (kernels in add_gated.cu).
 *
 * <pre>
 *   add_gated_t(T* x, i64 ldx, const T* y, i64 ldy, const T* gate, i64 rows, i64 cols)
 *   x, y: rows x cols row-strided; gate: cols contiguous (a column slice of the modulation vector)
 *   grid (ceil(cols / 256), min(rows, 65535)), block 256
 * </pre>
 */
public final class AddGated {
    static final int VEC_BLOCK = 128;
    private final KernelModule module;
    private final CudaStream stream;

    public AddGated(KernelModule module, CudaStream stream) {
        this.module = module;
        this.stream = stream;
    }

    public static String kernelName(DType dt) {
        return "add_gated_" + Matrix.suffix(dt);
    }

    /** 16-byte loads and stores, 8 columns per thread (bf16, see {@link #vectorizable}). */
    public static final String VEC8_KERNEL = "add_gated_bf16_vec8";

    /** bf16 with every row start and the gate 16-byte aligned and whole 8-column vectors. */
    static boolean vectorizable(Tensor x, Matrix mx, Tensor y, Matrix my, Tensor gate) {
        return x.dtype() == DType.BF16 && mx.cols() % 8 == 0 && mx.ld() % 8 == 0 && my.ld() % 8 == 0
                && x.address() % 16 == 0 && y.address() % 16 == 0 && gate.address() % 16 == 0;
    }

    public void run(Tensor x, Tensor y, Tensor gate) {
        for (Tensor t : new Tensor[] {x, y, gate}) {
            Matrix.requireCuda(t, "addGated operand");
            Matrix.requireDType(t, "addGated operand", DType.F32, DType.BF16);
        }
        Matrix.requireSameShape(x, "addGated x", y, "y");
        if (y.dtype() != x.dtype() || gate.dtype() != x.dtype()) {
            throw new IllegalArgumentException("addGated needs one dtype, got x " + x.dtype() + ", y " + y.dtype()
                    + ", gate " + gate.dtype());
        }
        Matrix mx = Matrix.of(x, "addGated x"), my = Matrix.of(y, "addGated y"), mg = Matrix.of(gate, "addGated gate");
        if (mg.rows() != 1 || mg.cols() != mx.cols()) {
            throw new IllegalArgumentException("addGated gate must hold " + mx.cols() + " values (x " + x + "), got "
                    + gate);
        }
        if (mx.rows() == 0 || mx.cols() == 0) {
            return;
        }
        try (KernelArgs k = new KernelArgs().ptr(x).i64(mx.ld()).ptr(y).i64(my.ld()).ptr(gate).i64(mx.rows())
                .i64(mx.cols())) {
            if (vectorizable(x, mx, y, my, gate)) {
                module.launch(VEC8_KERNEL, Matrix.ceilDiv(mx.cols() / 8, VEC_BLOCK), Math.min(mx.rows(), 65535), 1,
                        VEC_BLOCK, 0, stream, k);
            } else {
                module.launch(kernelName(x.dtype()), Matrix.ceilDiv(mx.cols(), Convert.BLOCK),
                        Math.min(mx.rows(), 65535), 1, Convert.BLOCK, 0, stream, k);
            }
        }
    }
}
