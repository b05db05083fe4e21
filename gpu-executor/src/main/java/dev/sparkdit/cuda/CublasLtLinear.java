package dev.sparkdit.cuda;

import dev.sparkdit.ops.Activation;
import dev.sparkdit.ops.Fp8GemmUnavailableException;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Device;
import dev.sparkdit.tensor.Tensor;
import org.bytedeco.cuda.cublas.cublasLtContext;
import org.bytedeco.cuda.cublas.cublasLtMatmulDescOpaque_t;
import org.bytedeco.cuda.cublas.cublasLtMatmulHeuristicResult_t;
import org.bytedeco.cuda.cublas.cublasLtMatmulPreferenceOpaque_t;
import org.bytedeco.cuda.cublas.cublasLtMatrixLayoutOpaque_t;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerPointer;

import java.util.HashMap;
import java.util.Map;

/**
 * PyTorch's Linear on cuBLASLt: {@code out[M, N] = act(x[M, K] @ w[N, K]^T + bias[N])}.
 *
 * <p><b>Row-major to column-major.</b> cuBLASLt is column-major. A row-major matrix {@code [r, c]} with
 * leading dimension {@code ld} is, byte for byte, the column-major matrix {@code [c, r]} with the same
 * {@code ld}. So the row-major product {@code out = x w^T} is computed as its transpose,
 * {@code out^T = w x^T}, which needs no copies:
 * <pre>
 *   cuBLASLt D (m x n, col-major)  =  op(A) (m x k)       *  op(B) (k x n)
 *   out^T      (N x M, ld ldOut)   =  T( w^T (K x N, ld ldW) ) *  x^T (K x M, ld ldX)
 *
 *   m = N (out features), n = M (tokens), k = K (in features)
 *   A = w seen col-major as K x N, TRANSA = T       B = x seen col-major as K x M, TRANSB = N
 *   D = C = out seen col-major as N x M              bias: length m = N, broadcast over the n = M columns,
 *                                                    i.e. one value per output feature, as in Linear
 * </pre>
 *
 * <p>Compute type {@code CUBLAS_COMPUTE_32F} with fp32 scale type for both bf16 and fp32 inputs: fp32
 * accumulation, and no TF32 for fp32 inputs (TF32 needs {@code CUBLAS_COMPUTE_32F_FAST_TF32}), which
 * the fp32 parity path requires. Epilogues: {@code BIAS}, {@code GELU}, {@code GELU_BIAS} (cuBLASLt's
 * GELU is the tanh approximation, the one PyTorch's {@code _addmm_activation(use_gelu=True)} maps to
 * it); SiLU, or a GELU the heuristic cannot fuse, runs as {@link ActivationKernel} on {@code out}
 * afterwards. Plans (descriptors, layouts, the heuristic's algorithm) are cached per
 * (M, N, K, dtypes, epilogue, leading dimensions). The algorithm is the fastest of the heuristic's first
 * {@link CudaOptions#gemmCandidates()}, timed on the first call of each shape
 * ({@link #tune}). Workspace: 32 MiB of device memory owned here.
 */
public final class CublasLtLinear implements AutoCloseable {
    public static final long WORKSPACE_BYTES = 32L << 20;
    private record Key(long m, long n, long k, DType in, DType out, DType bias, int epilogue, long ldX, long ldW,
                       long ldOut) {
    }

    /**
     * Descriptors for one problem shape; null {@code algo} = the heuristic found none. {@code candidates}
     * holds the heuristic's results ({@code found} of them); {@code algo} is the one in use, the first
     * until {@link #tune} has timed them all.
     */
    private static final class Plan implements AutoCloseable {
        cublasLtMatmulDescOpaque_t desc;
        cublasLtMatrixLayoutOpaque_t a;
        cublasLtMatrixLayoutOpaque_t b;
        cublasLtMatrixLayoutOpaque_t d;
        cublasLtMatmulHeuristicResult_t candidates;
        int found;
        cublasLtMatmulHeuristicResult_t algo;
        boolean tuned;

        @Override
        public void close() {
            if (candidates != null) {
                candidates.close();
            }
            if (a != null) {
                cublas.cublasLtMatrixLayoutDestroy(a);
            }
            if (b != null) {
                cublas.cublasLtMatrixLayoutDestroy(b);
            }
            if (d != null) {
                cublas.cublasLtMatrixLayoutDestroy(d);
            }
            if (desc != null) {
                cublas.cublasLtMatmulDescDestroy(desc);
            }
        }
    }

    private final CudaStream stream;
    /** GEMM tuning (candidates, launches per candidate) and FP8 accumulation mode. */
    private final CudaOptions options;
    private final ActivationKernel activation;
    private final DeviceMemory workspace;
    private cublasLtContext handle;
    private final Map<Key, Plan> plans = new HashMap<>();
    private final FloatPointer one = new FloatPointer(1f);
    private final FloatPointer zero = new FloatPointer(0f);
    /** The bias address handed to the plan's descriptor before each biased GEMM (no allocation per call). */
    private final LongPointer biasSlot = new LongPointer(1);
    /** The same for the FP8 scale vectors. */
    private final LongPointer scaleSlot = new LongPointer(1);
    private Tuning tuning = new Tuning(0, 0, 0, 0);

    public CublasLtLinear(Device device, CudaStream stream, ActivationKernel activation, CudaOptions options) {
        this.stream = stream;
        this.options = options;
        this.activation = activation;
        this.workspace = new DeviceMemory(device, WORKSPACE_BYTES);
        cublasLtContext h = new cublasLtContext();
        CudaCheck.cublasLt(cublas.cublasLtCreate(h), "cublasLtCreate");
        this.handle = h;
    }

    public void run(Tensor out, Tensor x, Tensor w, Tensor bias, Activation act) {
        for (Tensor t : new Tensor[] {out, x, w}) {
            Matrix.requireCuda(t, "linear operand");
        }
        Matrix.requireDType(x, "linear x", DType.BF16, DType.F32);
        if (w.dtype() != x.dtype()) {
            throw new IllegalArgumentException("linear: x and w need one dtype, got x " + x + ", w " + w);
        }
        if (!(out.dtype() == x.dtype() || out.dtype() == DType.F32)) {
            throw new IllegalArgumentException("linear: out must be " + x.dtype() + " or F32, got " + out);
        }
        Matrix mx = Matrix.of(x, "linear x"), mw = Matrix.of(w, "linear w"), mo = Matrix.of(out, "linear out");
        long m = mx.rows(), k = mx.cols(), n = mw.rows();
        if (w.rank() != 2 || mw.cols() != k || mo.rows() != m || mo.cols() != n) {
            throw new IllegalArgumentException("linear: expected x [M, K], w [N, K], out [M, N]; got x " + x + ", w "
                    + w + ", out " + out);
        }
        if (bias != null) {
            Matrix.requireCuda(bias, "linear bias");
            Matrix.requireContiguous(bias, "linear bias");
            if (bias.numel() != n || bias.dtype() != out.dtype()) {
                throw new IllegalArgumentException("linear: bias must be [" + n + "] of " + out.dtype() + ", got " + bias);
            }
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            throw new IllegalArgumentException("linear: K = 0 (x " + x + ")");
        }
        launch(out, x, w, bias, act, null, null, m, n, k, mx.ld(), mw.ld(), mo.ld());
    }

    /**
     * The FP8 linear of {@link dev.sparkdit.ops.Ops#linearFp8}: e4m3 operands with one fp32 scale per row
     * of each (cuBLASLt's outer-vector scaling: per output feature for the weight, per token for x), fp32
     * accumulation, bf16 output, bias and epilogue as in {@link #run}. Hopper's FP8 GEMMs take exactly the
     * layout used here (A transposed, B not). {@link CudaOptions#fp8FastAccum()} picks the accumulation mode.
     */
    public void runFp8(Tensor out, Tensor xq, Tensor xScale, Tensor wq, Tensor wScale, Tensor bias, Activation act) {
        for (Tensor t : new Tensor[] {out, xq, xScale, wq, wScale}) {
            Matrix.requireCuda(t, "fp8 linear operand");
        }
        Matrix.requireDType(xq, "fp8 linear x", DType.F8_E4M3);
        Matrix.requireDType(wq, "fp8 linear w", DType.F8_E4M3);
        Matrix.requireDType(xScale, "fp8 linear x scale", DType.F32);
        Matrix.requireDType(wScale, "fp8 linear w scale", DType.F32);
        Matrix.requireDType(out, "fp8 linear out", DType.BF16);
        Matrix.requireContiguous(xScale, "fp8 linear x scale");
        Matrix.requireContiguous(wScale, "fp8 linear w scale");
        Matrix mx = Matrix.of(xq, "fp8 linear x"), mw = Matrix.of(wq, "fp8 linear w"), mo = Matrix.of(out, "fp8 linear out");
        long m = mx.rows(), k = mx.cols(), n = mw.rows();
        if (wq.rank() != 2 || mw.cols() != k || mo.rows() != m || mo.cols() != n || xScale.numel() != m
                || wScale.numel() != n) {
            throw new IllegalArgumentException("fp8 linear: expected x [M, K], x scale [M], w [N, K], w scale [N], out"
                    + " [M, N]; got x " + xq + ", x scale " + xScale + ", w " + wq + ", w scale " + wScale + ", out " + out);
        }
        if (k % 16 != 0 || mx.ld() % 16 != 0 || mw.ld() % 16 != 0) {
            throw new IllegalArgumentException("fp8 linear: K and the operands' row strides must be multiples of 16"
                    + " (cuBLASLt FP8); got x " + xq + ", w " + wq);
        }
        if (bias != null) {
            Matrix.requireCuda(bias, "fp8 linear bias");
            Matrix.requireContiguous(bias, "fp8 linear bias");
            if (bias.numel() != n || bias.dtype() != DType.BF16) {
                throw new IllegalArgumentException("fp8 linear: bias must be [" + n + "] of BF16, got " + bias);
            }
        }
        if (m == 0 || n == 0) {
            return;
        }
        launch(out, xq, wq, bias, act, xScale, wScale, m, n, k, mx.ld(), mw.ld(), mo.ld());
    }

    /** Picks the plan (fused epilogue if the heuristic has one), points it at bias and scales, tunes, launches. */
    private void launch(Tensor out, Tensor x, Tensor w, Tensor bias, Activation act, Tensor xScale, Tensor wScale,
                        long m, long n, long k, long ldX, long ldW, long ldOut) {
        int fused = switch (act) {
            case NONE -> bias != null ? cublas.CUBLASLT_EPILOGUE_BIAS : cublas.CUBLASLT_EPILOGUE_DEFAULT;
            case GELU_TANH -> bias != null ? cublas.CUBLASLT_EPILOGUE_GELU_BIAS : cublas.CUBLASLT_EPILOGUE_GELU;
            case SILU, QUICK_GELU -> -1;
        };
        int plain = bias != null ? cublas.CUBLASLT_EPILOGUE_BIAS : cublas.CUBLASLT_EPILOGUE_DEFAULT;
        DType biasType = bias == null ? null : bias.dtype();
        Plan plan = null;
        boolean activationAfter = act != Activation.NONE;
        if (fused >= 0) {
            plan = plan(new Key(m, n, k, x.dtype(), out.dtype(), biasType, fused, ldX, ldW, ldOut), xScale, wScale);
            if (plan.algo != null) {
                activationAfter = false;
            }
        }
        if (plan == null || plan.algo == null) {
            plan = plan(new Key(m, n, k, x.dtype(), out.dtype(), biasType, plain, ldX, ldW, ldOut), xScale, wScale);
        }
        if (plan.algo == null) {
            String what = "cuBLASLt has no algorithm for linear x " + x + ", w " + w + ", out " + out;
            throw wScale != null ? new Fp8GemmUnavailableException(what) : new IllegalStateException(what);
        }
        if (bias != null) {
            biasSlot.put(0, bias.address());
            CudaCheck.cublasLt(cublas.cublasLtMatmulDescSetAttribute(plan.desc,
                    cublas.CUBLASLT_MATMUL_DESC_BIAS_POINTER, biasSlot, 8), "cublasLtMatmulDescSetAttribute(BIAS_POINTER)");
        }
        if (wScale != null) {
            setScales(plan.desc, xScale, wScale);
        }
        if (!plan.tuned && !stream.isCapturing()) {
            tune(plan, out, x, w);
        }
        CudaCheck.cublasLt(matmul(plan, plan.algo, out, x, w), "cublasLtMatmul", "M", m, "N", n, "K", k, "x", x,
                "w", w, "out", out, "act", act, "algo", plan.algo.position());
        if (activationAfter) {
            activation.run(out, out, act);
        }
    }

    private int matmul(Plan plan, cublasLtMatmulHeuristicResult_t algo, Tensor out, Tensor x, Tensor w) {
        return cublas.cublasLtMatmul(handle(), plan.desc, one, DevicePointers.of(w.address()), plan.a,
                DevicePointers.of(x.address()), plan.b, zero, DevicePointers.of(out.address()), plan.d,
                DevicePointers.of(out.address()), plan.d, algo.algo(), DevicePointers.of(workspace.address()),
                WORKSPACE_BYTES, stream.handle());
    }

    /**
     * Times each of the heuristic's candidates on this call's own operands ({@link CudaOptions#gemmTuneReps()} launches
     * after one warm-up, device events) and keeps the fastest. The heuristic's first choice is often not
     * the fastest at FLUX's shapes once the token count is split over GPUs (M = 1152 or 2304 leaves a
     * partial last wave of tiles). Runs once per shape, outside graph capture; a candidate that fails to
     * launch is skipped. {@code out} is overwritten, which the real launch that follows does anyway.
     */
    private void tune(Plan plan, Tensor out, Tensor x, Tensor w) {
        plan.tuned = true;
        int best = 0;
        float bestMs = Float.MAX_VALUE;
        float firstMs = Float.MAX_VALUE;
        cublasLtMatmulHeuristicResult_t c = new cublasLtMatmulHeuristicResult_t(plan.candidates);
        try (CudaEvent start = new CudaEvent(); CudaEvent end = new CudaEvent()) {
            for (int i = 0; i < plan.found; i++) {
                c.position(i);
                if (c.state() != cublas.CUBLAS_STATUS_SUCCESS || matmul(plan, c, out, x, w) != cublas.CUBLAS_STATUS_SUCCESS) {
                    continue;
                }
                start.record(stream);
                int status = cublas.CUBLAS_STATUS_SUCCESS;
                for (int r = 0; r < options.gemmTuneReps() && status == cublas.CUBLAS_STATUS_SUCCESS; r++) {
                    status = matmul(plan, c, out, x, w);
                }
                end.record(stream);
                end.synchronize();
                float ms = end.elapsedMs(start);
                if (i == 0 && status == cublas.CUBLAS_STATUS_SUCCESS) {
                    firstMs = ms;
                }
                if (status == cublas.CUBLAS_STATUS_SUCCESS && ms < bestMs) {
                    bestMs = ms;
                    best = i;
                }
            }
        }
        plan.algo.position(best);
        if (firstMs < Float.MAX_VALUE && bestMs < Float.MAX_VALUE) {
            tuning = new Tuning(tuning.shapes() + 1, tuning.changed() + (best != 0 ? 1 : 0),
                    tuning.firstMs() + firstMs / options.gemmTuneReps(), tuning.bestMs() + bestMs / options.gemmTuneReps());
        }
    }

    /**
     * What tuning found so far: shapes timed, how many now use another algorithm than the heuristic's
     * first, and the sum over shapes of one launch's ms with the first and with the chosen algorithm.
     */
    public record Tuning(int shapes, int changed, double firstMs, double bestMs) {
    }

    public Tuning tuning() {
        return tuning;
    }

    /** Points an FP8 plan at this call's scale vectors: A = the weight's, B = the activation's. */
    private void setScales(cublasLtMatmulDescOpaque_t desc, Tensor xScale, Tensor wScale) {
        scaleSlot.put(0, wScale.address());
        CudaCheck.cublasLt(cublas.cublasLtMatmulDescSetAttribute(desc, cublas.CUBLASLT_MATMUL_DESC_A_SCALE_POINTER,
                scaleSlot, 8), "cublasLtMatmulDescSetAttribute(A_SCALE_POINTER)", "w scale", wScale);
        scaleSlot.put(0, xScale.address());
        CudaCheck.cublasLt(cublas.cublasLtMatmulDescSetAttribute(desc, cublas.CUBLASLT_MATMUL_DESC_B_SCALE_POINTER,
                scaleSlot, 8), "cublasLtMatmulDescSetAttribute(B_SCALE_POINTER)", "x scale", xScale);
    }

    /** {@code xScale}, {@code wScale}: an FP8 call's scale vectors (the heuristic wants them set), else null. */
    private Plan plan(Key key, Tensor xScale, Tensor wScale) {
        Plan p = plans.get(key);
        if (p != null) {
            return p;
        }
        p = new Plan();
        try {
            int inType = cudaType(key.in()), outType = cudaType(key.out());
            try (PointerPointer<?> pp = new PointerPointer<>(1)) {
                CudaCheck.cublasLt(cublas.cublasLtMatmulDescCreate(pp, cublas.CUBLAS_COMPUTE_32F,
                        org.bytedeco.cuda.global.cudart.CUDA_R_32F), "cublasLtMatmulDescCreate");
                p.desc = new cublasLtMatmulDescOpaque_t(pp.get(0));
                setInt(p.desc, cublas.CUBLASLT_MATMUL_DESC_TRANSA, cublas.CUBLAS_OP_T, "TRANSA");
                setInt(p.desc, cublas.CUBLASLT_MATMUL_DESC_TRANSB, cublas.CUBLAS_OP_N, "TRANSB");
                setInt(p.desc, cublas.CUBLASLT_MATMUL_DESC_EPILOGUE, key.epilogue(), "EPILOGUE");
                if (key.bias() != null) {
                    setInt(p.desc, cublas.CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, cudaType(key.bias()), "BIAS_DATA_TYPE");
                }
                if (key.in() == DType.F8_E4M3) {
                    setInt(p.desc, cublas.CUBLASLT_MATMUL_DESC_A_SCALE_MODE, cublas.CUBLASLT_MATMUL_MATRIX_SCALE_OUTER_VEC_32F,
                            "A_SCALE_MODE");
                    setInt(p.desc, cublas.CUBLASLT_MATMUL_DESC_B_SCALE_MODE, cublas.CUBLASLT_MATMUL_MATRIX_SCALE_OUTER_VEC_32F,
                            "B_SCALE_MODE");
                    setScales(p.desc, xScale, wScale);
                    try (BytePointer fast = new BytePointer(1)) {
                        fast.put(0, (byte) (options.fp8FastAccum() ? 1 : 0));
                        CudaCheck.cublasLt(cublas.cublasLtMatmulDescSetAttribute(p.desc,
                                cublas.CUBLASLT_MATMUL_DESC_FAST_ACCUM, fast, 1),
                                "cublasLtMatmulDescSetAttribute(FAST_ACCUM)", "value", options.fp8FastAccum());
                    }
                }
                // A = w: K x N col-major, ld ldW; B = x: K x M, ld ldX; D = out: N x M, ld ldOut
                CudaCheck.cublasLt(cublas.cublasLtMatrixLayoutCreate(pp, inType, key.k(), key.n(), key.ldW()),
                        "cublasLtMatrixLayoutCreate(A = w)", "rows", key.k(), "cols", key.n(), "ld", key.ldW());
                p.a = new cublasLtMatrixLayoutOpaque_t(pp.get(0));
                CudaCheck.cublasLt(cublas.cublasLtMatrixLayoutCreate(pp, inType, key.k(), key.m(), key.ldX()),
                        "cublasLtMatrixLayoutCreate(B = x)", "rows", key.k(), "cols", key.m(), "ld", key.ldX());
                p.b = new cublasLtMatrixLayoutOpaque_t(pp.get(0));
                CudaCheck.cublasLt(cublas.cublasLtMatrixLayoutCreate(pp, outType, key.n(), key.m(), key.ldOut()),
                        "cublasLtMatrixLayoutCreate(D = out)", "rows", key.n(), "cols", key.m(), "ld", key.ldOut());
                p.d = new cublasLtMatrixLayoutOpaque_t(pp.get(0));
                CudaCheck.cublasLt(cublas.cublasLtMatmulPreferenceCreate(pp), "cublasLtMatmulPreferenceCreate");
                cublasLtMatmulPreferenceOpaque_t pref = new cublasLtMatmulPreferenceOpaque_t(pp.get(0));
                try (LongPointer ws = new LongPointer(1)) {
                    ws.put(0, WORKSPACE_BYTES);
                    CudaCheck.cublasLt(cublas.cublasLtMatmulPreferenceSetAttribute(pref,
                                    cublas.CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, ws, 8),
                            "cublasLtMatmulPreferenceSetAttribute(MAX_WORKSPACE_BYTES)");
                    int wanted = options.gemmTune() ? options.gemmCandidates() : 1;
                    cublasLtMatmulHeuristicResult_t result = new cublasLtMatmulHeuristicResult_t(wanted);
                    int[] found = new int[1];
                    int s = cublas.cublasLtMatmulAlgoGetHeuristic(handle(), p.desc, p.a, p.b, p.d, p.d, pref, wanted,
                            result, found);
                    if (s == cublas.CUBLAS_STATUS_SUCCESS && found[0] > 0) {
                        p.candidates = result;
                        p.found = found[0];
                        p.algo = new cublasLtMatmulHeuristicResult_t(result).position(0);
                        p.tuned = p.found == 1;
                    } else {
                        result.close();
                        if (s != cublas.CUBLAS_STATUS_NOT_SUPPORTED && s != cublas.CUBLAS_STATUS_SUCCESS) {
                            CudaCheck.cublasLt(s, "cublasLtMatmulAlgoGetHeuristic", "key", key);
                        }
                    }
                } finally {
                    cublas.cublasLtMatmulPreferenceDestroy(pref);
                }
            }
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        plans.put(key, p);
        return p;
    }

    private static void setInt(cublasLtMatmulDescOpaque_t desc, int attr, int value, String what) {
        try (IntPointer v = new IntPointer(1)) {
            v.put(0, value);
            CudaCheck.cublasLt(cublas.cublasLtMatmulDescSetAttribute(desc, attr, v, 4),
                    "cublasLtMatmulDescSetAttribute(" + what + ")", "value", value);
        }
    }

    private static int cudaType(DType d) {
        return switch (d) {
            case F32 -> org.bytedeco.cuda.global.cudart.CUDA_R_32F;
            case BF16 -> org.bytedeco.cuda.global.cudart.CUDA_R_16BF;
            case F16 -> org.bytedeco.cuda.global.cudart.CUDA_R_16F;
            case F8_E4M3 -> org.bytedeco.cuda.global.cudart.CUDA_R_8F_E4M3;
            default -> throw new IllegalArgumentException("cuBLASLt: unsupported dtype " + d);
        };
    }

    private cublasLtContext handle() {
        if (handle == null) {
            throw new IllegalStateException("cuBLASLt handle is closed");
        }
        return handle;
    }

    @Override
    public void close() {
        for (Plan p : plans.values()) {
            p.close();
        }
        plans.clear();
        if (handle != null) {
            CudaCheck.cublasLt(cublas.cublasLtDestroy(handle), "cublasLtDestroy");
            handle = null;
        }
        one.close();
        zero.close();
        biasSlot.close();
        scaleSlot.close();
        workspace.close();
    }
}
