package dev.sparkdit.cuda;

import dev.sparkdit.ops.Activation;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Device;
import dev.sparkdit.tensor.Tensor;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;

import java.nio.ByteBuffer;

/**
 * The CUDA backend of {@link Ops}: one device, one non-blocking stream, a scratch arena of a size fixed
 * at construction, the kernel module, the cuBLASLt handle (and, from the first {@link #conv2d}, a cuDNN
 * handle) and one launcher per kernel. Compute ops
 * only enqueue work on the stream and never allocate device memory, so a step can be captured with
 * {@link CudaGraph#capture}. Host transfers ({@link #copyFromHost}, {@link #toFloatArray}) take a
 * temporary from scratch (mark/reset), go through {@code cudaMemcpyAsync} on the stream and wait for it.
 * Use from one thread at a time (the device is made current in the constructor; call
 * {@link CudaDevice#makeCurrent()} from another thread before using it there).
 */
public final class CudaOps implements Ops {
    private final Device device;
    private final CudaDevice cudaDevice;
    private final CudaStream stream;
    private final DeviceMemory scratchMemory;
    private final Arena scratch;
    private final KernelModule module;
    private final CublasLtLinear linear;
    private final Convert convert;
    private final StridedCopy stridedCopy;
    private final Elementwise add;
    private final ActivationKernel activation;
    private final LayerNormModulate layerNormModulate;
    private final QkNormRope qkNormRope;
    private final Attention attention;
    private final MergeAttention mergeAttention;
    private final AddGated addGated;
    private final TimestepEmbedding timestepEmbedding;
    private final Fp8Quant fp8;
    private final FillRandom fillRandom;
    private final Elementwise mul;
    private final LayerNorm layerNorm;
    private final RmsNorm rmsNorm;
    private final GroupNorm groupNorm;
    private final UpsampleNearest2x upsample;
    private final Embedding embedding;
    private final MaskedAttention maskedAttention;
    /** cuDNN convolutions, made on the first {@link #conv2d} (loading cuDNN only when a model convolves). */
    private Conv2d conv2d;
    /** Whether this is the side ops of another (it then owns neither the device nor the module). */
    private final boolean side;
    private CudaOps sideOps;
    private CudaEvent fork;
    private CudaEvent join;

    /** The kernel switches this device runs with (side stream, attention variant, GEMM tuning). */
    private final CudaOptions options;

    /**
     * Scratch of the side ops: FP8 GEMM mode quantizes the text stream's GEMM inputs into it (the widest,
     * the MLP hidden state, takes 12 KB per text token: 64 MB holds over 5000 tokens; FLUX uses 512).
     */
    static final long SIDE_SCRATCH_BYTES = 64L << 20;

    public CudaOps(int deviceIndex, long scratchBytes) {
        this(deviceIndex, scratchBytes, CudaOptions.DEFAULTS);
    }

    public CudaOps(int deviceIndex, long scratchBytes, CudaOptions options) {
        this(new CudaDevice(deviceIndex), null, scratchBytes, options);
    }

    /**
     * {@code shared} null: the main ops of a device (its stream, its kernel module, owned). Otherwise the
     * side ops of {@link #concurrently}: the main ops' device and module, its own high-priority stream,
     * scratch arena and cuBLASLt handle.
     */
    private CudaOps(CudaDevice cudaDevice, KernelModule shared, long scratchBytes, CudaOptions options) {
        this.cudaDevice = cudaDevice;
        this.options = options;
        this.device = Device.cuda(cudaDevice.index());
        this.side = shared != null;
        CudaStream s = null;
        DeviceMemory mem = null;
        KernelModule mod = null;
        CublasLtLinear lin = null;
        try {
            s = shared != null ? CudaStream.highPriority() : new CudaStream();
            mem = new DeviceMemory(device, scratchBytes);
            mod = shared != null ? shared : new KernelModule(cudaDevice);
            ActivationKernel act = new ActivationKernel(mod, s);
            lin = new CublasLtLinear(device, s, act, options);
            this.activation = act;
        } catch (RuntimeException e) {
            if (lin != null) {
                lin.close();
            }
            if (mod != null && shared == null) {
                mod.close();
            }
            if (mem != null) {
                mem.close();
            }
            if (s != null) {
                s.close();
            }
            throw e;
        }
        this.stream = s;
        this.scratchMemory = mem;
        this.scratch = mem.arena("cuda" + cudaDevice.index() + (side ? "-side-scratch" : "-scratch"));
        this.module = mod;
        this.linear = lin;
        this.convert = new Convert(mod, s);
        this.stridedCopy = new StridedCopy(mod, s);
        this.add = new Elementwise(Elementwise.Op.ADD, mod, s);
        this.layerNormModulate = new LayerNormModulate(mod, s);
        this.qkNormRope = new QkNormRope(mod, s);
        this.attention = new Attention(mod, s, scratch, options.attentionVariant(), options.attentionSplitTail());
        this.mergeAttention = new MergeAttention(mod, s);
        this.addGated = new AddGated(mod, s);
        this.timestepEmbedding = new TimestepEmbedding(mod, s);
        this.fp8 = new Fp8Quant(mod, s);
        this.fillRandom = new FillRandom(mod, s);
        this.mul = new Elementwise(Elementwise.Op.MUL, mod, s);
        this.layerNorm = new LayerNorm(mod, s);
        this.rmsNorm = new RmsNorm(mod, s);
        this.groupNorm = new GroupNorm(mod, s, scratch);
        this.upsample = new UpsampleNearest2x(mod, s);
        this.embedding = new Embedding(mod, s);
        this.maskedAttention = new MaskedAttention(mod, s);
    }

    /** The bf16 head-dim-128 attention kernel this device runs. */
    public String attentionVariant() {
        return options.attentionVariant();
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public Arena scratch() {
        return scratch;
    }

    public CudaDevice cudaDevice() {
        return cudaDevice;
    }

    public CudaStream stream() {
        return stream;
    }

    public KernelModule kernels() {
        return module;
    }

    /** What cuBLASLt algorithm tuning chose so far (benchmark reports). */
    public CublasLtLinear.Tuning gemmTuning() {
        return linear.tuning();
    }

    /** FP8 quantisation for the all-to-all (not part of {@link Ops}). */
    public Fp8Quant fp8() {
        return fp8;
    }

    @Override
    public void copyFromHost(Tensor dst, ByteBuffer src, DType srcType) {
        Matrix.requireCuda(dst, "copyFromHost dst");
        long bytes = Math.multiplyExact(dst.numel(), (long) srcType.bytes());
        if (src.remaining() < bytes) {
            throw new IllegalArgumentException("copyFromHost: " + dst + " needs " + bytes + " bytes of " + srcType
                    + ", buffer has " + src.remaining());
        }
        if (bytes == 0) {
            return;
        }
        boolean raw = srcType == dst.dtype() && dst.isContiguous();
        long mark = scratch.mark();
        try (BytePointer host = hostBytes(src, bytes)) {
            Tensor staging = raw ? dst : scratch.allocate(srcType, dst.shape());
            CudaCheck.cudart(cudart.cudaMemcpyAsync(DevicePointers.of(staging.address()), host, bytes,
                    cudart.cudaMemcpyHostToDevice, stream.handle()), "cudaMemcpyAsync(H2D)", "bytes", bytes, "dst", dst);
            if (!raw) {
                convert.run(dst, staging);
            }
            stream.synchronize();
        } finally {
            scratch.reset(mark);
        }
    }

    private static BytePointer hostBytes(ByteBuffer src, long bytes) {
        ByteBuffer s = src.slice();
        s.limit((int) bytes);
        if (s.isDirect()) {
            return new BytePointer(s);
        }
        byte[] a = new byte[(int) bytes];
        s.get(a);
        BytePointer p = new BytePointer(bytes);
        p.put(a);
        return p;
    }

    @Override
    public float[] toFloatArray(Tensor src) {
        Matrix.requireCuda(src, "toFloatArray src");
        long n = src.numel();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("toFloatArray: " + src + " has more than 2^31-1 elements");
        }
        float[] out = new float[(int) n];
        if (n == 0) {
            return out;
        }
        long mark = scratch.mark();
        try (FloatPointer host = new FloatPointer(n)) {
            Tensor f32 = src;
            if (src.dtype() != DType.F32 || !src.isContiguous()) {
                f32 = scratch.allocate(DType.F32, src.shape());
                convert.run(f32, src);
            }
            CudaCheck.cudart(cudart.cudaMemcpyAsync(host, DevicePointers.of(f32.address()), n * 4,
                    cudart.cudaMemcpyDeviceToHost, stream.handle()), "cudaMemcpyAsync(D2H)", "bytes", n * 4, "src", src);
            stream.synchronize();
            host.get(out);
        } finally {
            scratch.reset(mark);
        }
        return out;
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        if (!java.util.Arrays.equals(dst.shape(), src.shape())) {
            throw new IllegalArgumentException("copy: shapes differ: " + dst + " vs " + src);
        }
        // Same dtype: one strided_copy launch in 16-byte units where the views allow (any rank <= 6
        // after merging, so Ulysses' q/k/v packing is one launch per tensor, not one memcpy per row).
        if (dst.dtype() == src.dtype()) {
            stridedCopy.run(dst, src);
            return;
        }
        if (Matrix.collapsible(dst) && Matrix.collapsible(src)) {
            convert.run(dst, src);
            return;
        }
        // A conversion between strided views of rank 3-4: one 2D conversion per leading index.
        if (dst.rank() < 3) {
            throw new IllegalArgumentException("copy: last dimension must be contiguous: " + dst + " <- " + src);
        }
        for (long i = 0; i < dst.dim(0); i++) {
            copy(dropFirst(dst.narrow(0, i, 1)), dropFirst(src.narrow(0, i, 1)));
        }
    }

    /** A tensor with a leading dimension of 1 seen without it. */
    private static Tensor dropFirst(Tensor t) {
        return new Tensor(t.address(), t.device(), t.dtype(), java.util.Arrays.copyOfRange(t.shape(), 1, t.rank()),
                java.util.Arrays.copyOfRange(t.strides(), 1, t.rank()));
    }

    @Override
    public void linear(Tensor out, Tensor x, Tensor w, Tensor bias, Activation act) {
        linear.run(out, x, w, bias, act);
    }

    @Override
    public void linearFp8(Tensor out, Tensor xq, Tensor xScale, Tensor wq, Tensor wScale, Tensor bias, Activation act) {
        linear.runFp8(out, xq, xScale, wq, wScale, bias, act);
    }

    @Override
    public void activation(Tensor out, Tensor x, Activation act) {
        activation.run(out, x, act);
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b) {
        add.run(out, a, b);
    }

    @Override
    public void layerNormModulate(Tensor out, Tensor x, Tensor shift, Tensor scale, float eps) {
        layerNormModulate.run(out, x, shift, scale, eps);
    }

    @Override
    public void qkNormRope(Tensor qkv, Tensor normQ, Tensor normK, float eps, Tensor cos, Tensor sin, Tensor q,
                           Tensor k, Tensor v, long seqOffset) {
        qkNormRope.run(qkv, normQ, normK, eps, cos, sin, q, k, v, seqOffset);
    }

    /**
     * {@link Attention}'s kernels for the head dims they take (32, 64, 128); any other head dim up to 512 runs the
     * general kernel of {@link MaskedAttention} without mask, which also writes the log-sum-exp (so Ring merges
     * work for every head dim).
     */
    @Override
    public void attention(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, float scale) {
        boolean general = q.rank() == 3 && !MaskedAttention.fastKernelsTake(q.dim(2));
        if (out.rank() == 3 && (general || !attention.writesParts(out, q))) {
            // rows in parts the kernel cannot write itself: whole rows into scratch, then one strided copy
            long mark = scratch.mark();
            try {
                Tensor rows = scratch.allocate(out.dtype(), out.dim(0) * out.dim(1), out.dim(2));
                attendRows(general, rows, lse, q, k, v, scale);
                copy(out, rows.view(out.shape()));
            } finally {
                scratch.reset(mark);
            }
            return;
        }
        attendRows(general, out, lse, q, k, v, scale);
    }

    private void attendRows(boolean general, Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, float scale) {
        if (general) {
            maskedAttention.run(out, lse, q, k, v, scale, false, null);
        } else {
            attention.run(out, lse, q, k, v, scale);
        }
    }

    @Override
    public void mergeAttention(Tensor out, Tensor lse, Tensor outB, Tensor lseB) {
        mergeAttention.run(out, lse, outB, lseB);
    }

    // The text encoders' and the VAE's ops.

    @Override
    public void mul(Tensor out, Tensor a, Tensor b) {
        mul.run(out, a, b);
    }

    @Override
    public void layerNorm(Tensor out, Tensor x, Tensor weight, Tensor bias, float eps) {
        layerNorm.run(out, x, weight, bias, eps);
    }

    @Override
    public void rmsNorm(Tensor out, Tensor x, Tensor weight, float eps) {
        rmsNorm.run(out, x, weight, eps);
    }

    @Override
    public void groupNorm(Tensor out, Tensor x, Tensor weight, Tensor bias, int groups, float eps, Activation act) {
        groupNorm.run(out, x, weight, bias, groups, eps, act);
    }

    /**
     * cuDNN; the handle is made on the first call (cuDNN loads then), which must not be inside a graph capture:
     * every runner steps once eagerly before capturing.
     */
    @Override
    public void conv2d(Tensor out, Tensor x, Tensor weight, Tensor bias, int pad) {
        if (conv2d == null) {
            if (stream.isCapturing()) {
                throw new IllegalStateException("conv2d: the cuDNN handle of " + device + " is made on the first call,"
                        + " which must run before graph capture (run the model once eagerly first)");
            }
            conv2d = new Conv2d(module, stream, scratch);
        }
        conv2d.run(out, x, weight, bias, pad);
    }

    @Override
    public void upsampleNearest2x(Tensor out, Tensor x) {
        upsample.run(out, x);
    }

    /** Ids out of range give NaN rows (see {@link Embedding}); callers validate ids on the host. */
    @Override
    public void embedding(Tensor out, Tensor table, Tensor ids) {
        embedding.run(out, table, ids);
    }

    @Override
    public void maskedAttention(Tensor out, Tensor q, Tensor k, Tensor v, float scale, boolean causal, Tensor bias) {
        maskedAttention.run(out, null, q, k, v, scale, causal, bias);
    }

    @Override
    public void addGated(Tensor x, Tensor y, Tensor gate) {
        addGated.run(x, y, gate);
    }

    @Override
    public void timestepEmbedding(Tensor out, Tensor t, float tScale) {
        timestepEmbedding.run(out, t, tScale);
    }

    /** Fills {@code t}'s bytes with {@code value} (each byte); contiguous tensors only. Enqueued on the stream. */
    public void fillBytes(Tensor t, int value) {
        Matrix.requireCuda(t, "fillBytes");
        Matrix.requireContiguous(t, "fillBytes");
        CudaCheck.cudart(cudart.cudaMemsetAsync(DevicePointers.of(t.address()), value, t.bytes(), stream.handle()),
                "cudaMemsetAsync", "tensor", t, "value", value);
    }

    /** A constant is fill_random with scale 0; strided views are filled row by row. */
    @Override
    public void fillUniform(Tensor dst, long seed, float offset, float scale) {
        fillRandom.run(dst, seed, offset, scale);
    }

    @Override
    public void fill(Tensor dst, float value) {
        if (dst.isContiguous()) {
            fillRandom.run(dst, 0, value, 0f);
            return;
        }
        if (dst.rank() < 2) {
            throw new IllegalArgumentException("fill of a strided tensor of rank < 2: " + dst);
        }
        for (long i = 0; i < dst.dim(0); i++) {
            Tensor row = dst.narrow(0, i, 1);
            long[] rest = java.util.Arrays.copyOfRange(row.shape(), 1, row.rank());
            if (row.isContiguous()) {
                fillRandom.run(new Tensor(row.address(), row.device(), row.dtype(), rest), 0, value, 0f);
            } else {
                fill(new Tensor(row.address(), row.device(), row.dtype(), rest,
                        java.util.Arrays.copyOfRange(row.strides(), 1, row.rank())), value);
            }
        }
    }

    /** {@code x [S, C]} as {@code [S, C/group, group]}: one scale per (token, group), as fp8_quant.cu. */
    @Override
    public void quantizeFp8(Tensor q8, Tensor scales, Tensor x, int group) {
        requireGroups("quantizeFp8", x, group);
        if (Fp8Quant.useRows(q8, x, group)) {
            fp8.quantizeRows(q8, scales, x);
            return;
        }
        fp8.quantize(q8.view(x.dim(0), x.dim(1) / group, group), scales, x.view(x.dim(0), x.dim(1) / group, group));
    }

    @Override
    public void dequantizeFp8(Tensor x, Tensor q8, Tensor scales, int group) {
        requireGroups("dequantizeFp8", x, group);
        fp8.dequantize(x.view(x.dim(0), x.dim(1) / group, group), q8.view(x.dim(0), x.dim(1) / group, group), scales);
    }

    private static void requireGroups(String op, Tensor x, int group) {
        if (x.rank() != 2 || group <= 0 || x.dim(1) % group != 0) {
            throw new IllegalArgumentException(op + ": x must be [S, C] with C divisible by group " + group
                    + ", got " + x);
        }
    }

    @Override
    public void synchronize() {
        stream.synchronize();
    }

    /**
     * {@code side} on a second, high-priority stream of this device, {@code main} on this one: an event
     * recorded here is what the side stream waits for first, and this stream waits for an event recorded
     * at the end of the side work. Captured into a graph as a fork and a join. The side ops are made on the
     * first call, which must not be inside a capture (every runner steps once eagerly before capturing).
     * The side work is enqueued first, so its (small) kernels start before the main stream's fill the GPU.
     */
    @Override
    public void concurrently(java.util.function.Consumer<Ops> main, java.util.function.Consumer<Ops> sideWork) {
        if (side) {
            throw new IllegalStateException("concurrently: already on the side stream of " + device);
        }
        if (!options.sideStream()) {
            Ops.super.concurrently(main, sideWork);
            return;
        }
        if (sideOps == null) {
            if (stream.isCapturing()) {
                throw new IllegalStateException("concurrently: the side stream of " + device + " is made on the first"
                        + " call, which must run before graph capture (step once eagerly first)");
            }
            sideOps = new CudaOps(cudaDevice, module, SIDE_SCRATCH_BYTES, options);
            fork = new CudaEvent();
            join = new CudaEvent();
        }
        fork.record(stream);
        sideOps.stream.waitFor(fork);
        sideWork.accept(sideOps);
        join.record(sideOps.stream);
        main.accept(this);
        stream.waitFor(join);
    }

    @Override
    public void close() {
        RuntimeException first = null;
        java.util.List<AutoCloseable> owned = new java.util.ArrayList<>();
        if (sideOps != null) {
            owned.add(sideOps);
            owned.add(fork);
            owned.add(join);
        }
        if (conv2d != null) {
            owned.add(conv2d);
        }
        owned.addAll(java.util.List.of(linear, scratchMemory, stream));
        if (!side) {
            owned.add(module);
            owned.add(cudaDevice);
        }
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException r ? r : new RuntimeException(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
