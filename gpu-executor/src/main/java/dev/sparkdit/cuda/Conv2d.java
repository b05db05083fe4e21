package dev.sparkdit.cuda;

import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

import java.util.HashMap;
import java.util.Map;

/**
 * 2D convolution, stride 1, zero padding, channels-last, through cuDNN's convolution API
 * ({@code cudnnConvolutionForward}), then the bias by our own epilogue kernel (conv2d.cu):
 *
 * <pre>
 *   x      [H, W, Cin]           cuDNN NHWC tensor (n = 1, c = Cin, h = H, w = W)
 *   weight [Cout, kh, kw, Cin]   cuDNN NHWC filter, i.e. KRSC (k = Cout, c = Cin, r = kh, s = kw)
 *   out    [Ho, Wo, Cout]        NHWC, Ho = H + 2 pad - kh + 1, Wo = W + 2 pad - kw + 1
 *   convolution descriptor: pad (pad, pad), stride (1, 1), dilation (1, 1), CUDNN_CROSS_CORRELATION (PyTorch's),
 *   compute type CUDNN_DATA_FLOAT (fp32 accumulation) for fp32 and bf16 data;
 *   math: fp32 CUDNN_FMA_MATH (no TF32: the fp32 parity tolerance is 1e-4), bf16 tensor cores allowed
 *
 *   conv2d_bias_t[_vec](T* out, i64 n, i32 Cout, const T* bias)     out[p, c] += bias[c], in place, fp32 math
 *   n = Ho * Wo * Cout elements; _vec: 16-byte units (Cout % 8 bf16 / % 4 fp32, aligned out and bias);
 *   grid (min(ceil(n / V / 256), 1048576)), block 256, grid-strided
 * </pre>
 *
 * <p>The bias is a separate pass, as PyTorch adds a cuDNN convolution's bias: the fused
 * {@code cudnnConvolutionBiasActivationForward} takes an identity activation only with
 * {@code IMPLICIT_PRECOMP_GEMM}, which would pin the algorithm.
 *
 * <p><b>Plans.</b> Descriptors and the algorithm are made once per (H, W, Cin, Cout, kh, kw, pad, dtype), as
 * {@link CublasLtLinear} caches its plans. The algorithm: outside graph capture, {@code
 * cudnnFindConvolutionForwardAlgorithmEx} times every algorithm on the call's own operands (it overwrites
 * {@code out}, which the convolution then writes anyway) with a workspace of up to {@link #WORKSPACE_LIMIT}
 * bytes from the scratch arena; under capture, {@code cudnnGetConvolutionForwardAlgorithm_v7}'s heuristic
 * ranking. The fastest algorithm that succeeded, fits the limit and (fp32) uses no tensor-op math is kept.
 * Each call takes its algorithm's workspace from the scratch arena (mark / reset), so a model's scratch size
 * must leave room for it ({@link #workspaceBytes}).
 *
 * <p>The cuDNN handle is made on construction (it loads cuDNN: {@link CudaOps} makes this object on the first
 * {@code conv2d}, which must not be inside a graph capture) and bound to the ops' stream; {@link #close}
 * destroys every plan's descriptors and the handle. Every cuDNN status goes through {@link CudaCheck#cudnn}.
 */
public final class Conv2d implements AutoCloseable {
    /** The most workspace an algorithm may ask for (bytes of the scratch arena, per call). */
    public static final long WORKSPACE_LIMIT = 256L << 20;
    static final int BIAS_BLOCK = 256;

    private record Key(long h, long w, long cin, long cout, long kh, long kw, int pad, DType dtype) {
    }

    /** One shape's descriptors and chosen algorithm. */
    private static final class Plan implements AutoCloseable {
        cudnnTensorStruct x;
        cudnnTensorStruct y;
        cudnnFilterStruct w;
        cudnnConvolutionStruct conv;
        int algo = -1;
        long workspace;

        @Override
        public void close() {
            if (x != null) {
                cudnn.cudnnDestroyTensorDescriptor(x);
            }
            if (y != null) {
                cudnn.cudnnDestroyTensorDescriptor(y);
            }
            if (w != null) {
                cudnn.cudnnDestroyFilterDescriptor(w);
            }
            if (conv != null) {
                cudnn.cudnnDestroyConvolutionDescriptor(conv);
            }
        }
    }

    private final KernelModule module;
    private final CudaStream stream;
    private final Arena scratch;
    private cudnnContext handle;
    private final Map<Key, Plan> plans = new HashMap<>();
    private final FloatPointer one = new FloatPointer(1f);
    private final FloatPointer zero = new FloatPointer(0f);

    public Conv2d(KernelModule module, CudaStream stream, Arena scratch) {
        this.module = module;
        this.stream = stream;
        this.scratch = scratch;
        cudnnContext h = new cudnnContext();
        CudaCheck.cudnn(cudnn.cudnnCreate(h), "cudnnCreate", "device", module.device());
        try {
            CudaCheck.cudnn(cudnn.cudnnSetStream(h, stream.handle()), "cudnnSetStream");
        } catch (RuntimeException e) {
            cudnn.cudnnDestroy(h);
            throw e;
        }
        this.handle = h;
    }

    public static String biasKernel(DType dt, boolean vec) {
        return "conv2d_bias_" + Matrix.suffix(dt) + (vec ? "_vec" : "");
    }

    /** cuDNN's version number (e.g. 91400 for 9.14.0). */
    public static long cudnnVersion() {
        return cudnn.cudnnGetVersion();
    }

    /** The workspace the chosen algorithm of this shape takes per call (0 before its first call). */
    public long workspaceBytes(Tensor x, Tensor weight, int pad) {
        Plan p = plans.get(key(x, weight, pad));
        return p == null ? 0 : p.workspace;
    }

    private static Key key(Tensor x, Tensor weight, int pad) {
        return new Key(x.dim(0), x.dim(1), x.dim(2), weight.dim(0), weight.dim(1), weight.dim(2), pad, x.dtype());
    }

    public void run(Tensor out, Tensor x, Tensor weight, Tensor bias, int pad) {
        for (Tensor t : new Tensor[] {out, x, weight}) {
            Matrix.requireCuda(t, "conv2d operand");
            Matrix.requireDType(t, "conv2d operand", DType.F32, DType.BF16);
            Matrix.requireContiguous(t, "conv2d operand");
            if (t.dtype() != x.dtype()) {
                throw new IllegalArgumentException("conv2d needs one dtype: x " + x + ", got " + t);
            }
        }
        if (x.rank() != 3 || weight.rank() != 4 || out.rank() != 3 || weight.dim(3) != x.dim(2) || pad < 0
                || out.dim(0) != x.dim(0) + 2L * pad - weight.dim(1) + 1
                || out.dim(1) != x.dim(1) + 2L * pad - weight.dim(2) + 1 || out.dim(2) != weight.dim(0)) {
            throw new IllegalArgumentException("conv2d: out [H + 2 pad - kh + 1, W + 2 pad - kw + 1, Cout] = x [H, W, Cin]"
                    + " conv weight [Cout, kh, kw, Cin] with pad " + pad + "; got out " + out + ", x " + x + ", weight "
                    + weight);
        }
        if (bias != null) {
            Matrix.requireCuda(bias, "conv2d bias");
            Matrix.requireContiguous(bias, "conv2d bias");
            if (bias.dtype() != x.dtype() || bias.numel() != weight.dim(0)) {
                throw new IllegalArgumentException("conv2d: bias must be [" + weight.dim(0) + "] of " + x.dtype()
                        + ", got " + bias);
            }
        }
        for (Tensor t : new Tensor[] {out, x, weight}) {
            if (t.numel() >= Integer.MAX_VALUE) {
                throw new IllegalArgumentException("conv2d: cuDNN tensors hold fewer than 2^31 elements, got " + t);
            }
        }
        if (out.numel() == 0) {
            return;
        }
        if (x.numel() == 0) {
            throw new IllegalArgumentException("conv2d: empty input " + x + " for a non-empty output " + out);
        }
        Key key = key(x, weight, pad);
        Plan p = plans.get(key);
        if (p == null) {
            p = plan(key, out, x, weight);
            plans.put(key, p);
        }
        long mark = scratch.mark();
        try {
            Tensor ws = p.workspace > 0 ? scratch.allocate(DType.U8, p.workspace) : null;
            CudaCheck.cudnn(cudnn.cudnnConvolutionForward(handle(), one, p.x, DevicePointers.of(x.address()), p.w,
                            DevicePointers.of(weight.address()), p.conv, p.algo,
                            ws == null ? null : DevicePointers.of(ws.address()), p.workspace, zero, p.y,
                            DevicePointers.of(out.address())),
                    "cudnnConvolutionForward", "x", x, "weight", weight, "out", out, "pad", pad, "algo", p.algo,
                    "workspace", p.workspace);
        } finally {
            scratch.reset(mark);
        }
        if (bias != null) {
            addBias(out, bias);
        }
    }

    private void addBias(Tensor out, Tensor bias) {
        long n = out.numel();
        int cout = (int) out.dim(2);
        int v = 16 / out.dtype().bytes();
        boolean vec = cout % v == 0 && out.address() % 16 == 0 && bias.address() % 16 == 0;
        long units = vec ? n / v : n;
        try (KernelArgs k = new KernelArgs().ptr(out).i64(n).i32(cout).ptr(bias)) {
            module.launch(biasKernel(out.dtype(), vec), Math.min(Matrix.ceilDiv(units, BIAS_BLOCK), 1L << 20), 1, 1,
                    BIAS_BLOCK, 0, stream, k);
        }
    }

    /** Descriptors for the key's shape and the algorithm (see the class comment). */
    private Plan plan(Key k, Tensor out, Tensor x, Tensor weight) {
        int dt = k.dtype() == DType.F32 ? cudnn.CUDNN_DATA_FLOAT : cudnn.CUDNN_DATA_BFLOAT16;
        boolean fp32 = k.dtype() == DType.F32;
        Plan p = new Plan();
        try {
            p.x = new cudnnTensorStruct();
            CudaCheck.cudnn(cudnn.cudnnCreateTensorDescriptor(p.x), "cudnnCreateTensorDescriptor(x)");
            CudaCheck.cudnn(cudnn.cudnnSetTensor4dDescriptor(p.x, cudnn.CUDNN_TENSOR_NHWC, dt, 1, (int) k.cin(),
                    (int) k.h(), (int) k.w()), "cudnnSetTensor4dDescriptor(x, NHWC)", "x", x);
            p.y = new cudnnTensorStruct();
            CudaCheck.cudnn(cudnn.cudnnCreateTensorDescriptor(p.y), "cudnnCreateTensorDescriptor(y)");
            CudaCheck.cudnn(cudnn.cudnnSetTensor4dDescriptor(p.y, cudnn.CUDNN_TENSOR_NHWC, dt, 1, (int) k.cout(),
                    (int) out.dim(0), (int) out.dim(1)), "cudnnSetTensor4dDescriptor(y, NHWC)", "out", out);
            p.w = new cudnnFilterStruct();
            CudaCheck.cudnn(cudnn.cudnnCreateFilterDescriptor(p.w), "cudnnCreateFilterDescriptor");
            CudaCheck.cudnn(cudnn.cudnnSetFilter4dDescriptor(p.w, dt, cudnn.CUDNN_TENSOR_NHWC, (int) k.cout(),
                    (int) k.cin(), (int) k.kh(), (int) k.kw()), "cudnnSetFilter4dDescriptor(KRSC)", "weight", weight);
            p.conv = new cudnnConvolutionStruct();
            CudaCheck.cudnn(cudnn.cudnnCreateConvolutionDescriptor(p.conv), "cudnnCreateConvolutionDescriptor");
            CudaCheck.cudnn(cudnn.cudnnSetConvolution2dDescriptor(p.conv, k.pad(), k.pad(), 1, 1, 1, 1,
                    cudnn.CUDNN_CROSS_CORRELATION, cudnn.CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor",
                    "pad", k.pad());
            int math = fp32 ? cudnn.CUDNN_FMA_MATH : cudnn.CUDNN_TENSOR_OP_MATH;
            CudaCheck.cudnn(cudnn.cudnnSetConvolutionMathType(p.conv, math), "cudnnSetConvolutionMathType",
                    "math", math);
            int[] n = new int[1], c = new int[1], h = new int[1], w = new int[1];
            CudaCheck.cudnn(cudnn.cudnnGetConvolution2dForwardOutputDim(p.conv, p.x, p.w, n, c, h, w),
                    "cudnnGetConvolution2dForwardOutputDim", "x", x, "weight", weight);
            if (n[0] != 1 || c[0] != k.cout() || h[0] != out.dim(0) || w[0] != out.dim(1)) {
                throw new IllegalStateException("conv2d: cuDNN's output would be [" + h[0] + ", " + w[0] + ", " + c[0]
                        + "] (n " + n[0] + "), out is " + out);
            }
            choose(p, k, out, x, weight, fp32);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    private void choose(Plan p, Key k, Tensor out, Tensor x, Tensor weight, boolean fp32) {
        int max = cudnn.CUDNN_CONVOLUTION_FWD_ALGO_COUNT;
        long limit = Math.min(WORKSPACE_LIMIT, Math.max(0, scratch.capacity() - Arena.alignUp(scratch.used())
                - Arena.ALIGNMENT));
        int[] found = new int[1];
        try (cudnnConvolutionFwdAlgoPerf_t perf = new cudnnConvolutionFwdAlgoPerf_t(max)) {
            if (!stream.isCapturing()) {
                long mark = scratch.mark();
                try {
                    Tensor ws = limit > 0 ? scratch.allocate(DType.U8, limit) : null;
                    CudaCheck.cudnn(cudnn.cudnnFindConvolutionForwardAlgorithmEx(handle(), p.x,
                                    DevicePointers.of(x.address()), p.w, DevicePointers.of(weight.address()), p.conv,
                                    p.y, DevicePointers.of(out.address()), max, found, perf,
                                    ws == null ? null : DevicePointers.of(ws.address()), limit),
                            "cudnnFindConvolutionForwardAlgorithmEx", "x", x, "weight", weight, "out", out,
                            "workspace limit", limit);
                } finally {
                    scratch.reset(mark);
                }
            } else {
                CudaCheck.cudnn(cudnn.cudnnGetConvolutionForwardAlgorithm_v7(handle(), p.x, p.w, p.conv, p.y, max,
                        found, perf), "cudnnGetConvolutionForwardAlgorithm_v7", "x", x, "weight", weight, "out", out);
            }
            StringBuilder seen = new StringBuilder();
            for (int i = 0; i < found[0]; i++) {
                cudnnConvolutionFwdAlgoPerf_t r = perf.getPointer(i);
                seen.append(i == 0 ? "" : ", ").append("algo ").append(r.algo()).append(" status ").append(r.status())
                        .append(" math ").append(r.mathType()).append(" ws ").append(r.memory());
                boolean tensorOpMath = r.mathType() == cudnn.CUDNN_TENSOR_OP_MATH
                        || r.mathType() == cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
                if (r.status() != cudnn.CUDNN_STATUS_SUCCESS || r.memory() > limit || (fp32 && tensorOpMath)) {
                    continue;
                }
                p.algo = r.algo();
                p.workspace = r.memory();
                if (!fp32) {
                    CudaCheck.cudnn(cudnn.cudnnSetConvolutionMathType(p.conv, r.mathType()),
                            "cudnnSetConvolutionMathType", "math", r.mathType());
                }
                return;
            }
            throw new IllegalStateException("conv2d: cuDNN " + cudnnVersion() + " has no usable algorithm for x " + x
                    + ", weight " + weight + ", pad " + k.pad() + " (workspace limit " + limit + " bytes"
                    + (fp32 ? ", no tensor-op math for fp32" : "") + "); candidates: [" + seen + "]");
        }
    }

    private cudnnContext handle() {
        if (handle == null) {
            throw new IllegalStateException("cuDNN handle is closed");
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
            CudaCheck.cudnn(cudnn.cudnnDestroy(handle), "cudnnDestroy");
            handle = null;
        }
        one.close();
        zero.close();
    }
}
