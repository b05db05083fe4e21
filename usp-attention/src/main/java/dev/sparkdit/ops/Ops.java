package dev.sparkdit.ops;

import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Device;
import dev.sparkdit.tensor.Tensor;

import java.nio.ByteBuffer;

/**
 * The op seam every model is written against, once. Each backend (libtorch on the CPU, our own CUDA
 * kernels + cuBLASLt + cuDNN on GPUs) implements it over {@link Tensor}s that live in arena memory.
 *
 * <p>Conventions:
 * <ul>
 *   <li>Destination first: every compute op writes into a tensor the caller allocated (usually from
 *       {@link #scratch()}), so a step allocates nothing from the device and its addresses repeat.</li>
 *   <li>Matrices are row-major {@code [rows, cols]}; any argument may be row-strided (a column range
 *       of a wider matrix) unless the op says contiguous.</li>
 *   <li>Attention tensors are head-major: {@code q, k, v: [H, S, Dh]}. Outputs are token-major
 *       {@code [S, H*Dh]}, ready for the output projection.</li>
 *   <li>Reductions (norms, softmax, log-sum-exp) accumulate in fp32 whatever the storage dtype.</li>
 *   <li>Ops are enqueued in order on the backend's stream; {@link #synchronize()} waits for them.</li>
 * </ul>
 */
public interface Ops extends AutoCloseable {

    Device device();

    /** Arena for a step's temporaries; blocks mark and reset it. */
    Arena scratch();

    // ---- data movement -------------------------------------------------------------------------

    /**
     * Copies host bytes holding {@code dst.numel()} elements of {@code srcType} (little-endian,
     * contiguous) into {@code dst}, converting to {@code dst}'s dtype.
     */
    void copyFromHost(Tensor dst, ByteBuffer src, DType srcType);

    /** The tensor's elements as fp32 on the host (a slow path for tests, tools and outputs). */
    float[] toFloatArray(Tensor src);

    /**
     * {@code dst = src} elementwise with dtype conversion; shapes must match. Both may be strided
     * views of rank up to 4 (last dimension contiguous): this is also the permute/pad copy that
     * sequence-parallel layouts use.
     */
    void copy(Tensor dst, Tensor src);

    /** Sets every element of {@code dst} to {@code value} (padding, poisoning). */
    void fill(Tensor dst, float value);

    /**
     * Fills a contiguous {@code dst} with {@code offset + scale * u}, u uniform in [-1, 1) from a hash of
     * (seed, element index): {@link SeededUniform}, the same values on every backend (random models for
     * benchmarks; never the initial noise of an image, which has its own generator).
     */
    void fillUniform(Tensor dst, long seed, float offset, float scale);

    // ---- compute ---------------------------------------------------------------------------------

    /**
     * {@code out[M, N] = act(x[M, K] @ w[N, K]^T + bias[N])}; bias may be null. The weight layout is
     * PyTorch's Linear: one row per output feature.
     */
    void linear(Tensor out, Tensor x, Tensor w, Tensor bias, Activation act);

    /**
     * A linear on FP8 (e4m3) operands, one fp32 scale per row of each, accumulated in fp32:
     * {@code out[M, N] = act((xq[M, K] * xScale[M]) @ (wq[N, K] * wScale[N])^T + bias[N])}. Both operands
     * come from {@link #quantizeFp8} with {@code group = K}: the weight once at load, the activation
     * before each call. Contiguous operands, K a multiple of 16; bias may be null. Default: dequantize
     * both into this scratch and run {@link #linear} (exact for the CPU reference; GPUs run FP8 GEMMs).
     *
     * @throws Fp8GemmUnavailableException the backend has no FP8 kernel for this shape (nothing was written)
     */
    default void linearFp8(Tensor out, Tensor xq, Tensor xScale, Tensor wq, Tensor wScale, Tensor bias,
                           Activation act) {
        Arena scratch = scratch();
        long mark = scratch.mark();
        try {
            Tensor x = scratch.allocate(out.dtype(), xq.dim(0), xq.dim(1));
            Tensor w = scratch.allocate(out.dtype(), wq.dim(0), wq.dim(1));
            dequantizeFp8(x, xq, xScale.view(xq.dim(0), 1), (int) xq.dim(1));
            dequantizeFp8(w, wq, wScale.view(wq.dim(0), 1), (int) wq.dim(1));
            linear(out, x, w, bias, act);
        } finally {
            scratch.reset(mark);
        }
    }

    /** {@code out = act(x)} elementwise. */
    void activation(Tensor out, Tensor x, Activation act);

    /** {@code out = a + b} elementwise; shapes must match. */
    void add(Tensor out, Tensor a, Tensor b);

    /**
     * LayerNorm without affine parameters over the last dimension, then modulation:
     * {@code out[S, D] = LN(x)[S, D] * (1 + scale[D]) + shift[D]}.
     */
    void layerNormModulate(Tensor out, Tensor x, Tensor shift, Tensor scale, float eps);

    /**
     * Splits a fused projection into heads, RMS-normalises q and k per head with their weights, applies
     * the rotary embedding to q and k, and scatters into head-major buffers.
     *
     * <pre>
     *   qkv      [S, 3*H*Dh]   columns: q heads, then k heads, then v heads (may be row-strided)
     *   normQ/K  [Dh]          RMSNorm weights
     *   cos, sin [S, Dh]       rotary tables for these S tokens (pairs (2i, 2i+1) rotate together)
     *   q, k, v  [H, Stot, Dh] written at rows [seqOffset, seqOffset + S); or [G, H/G, Stot, Dh], groups
     *            of heads placed apart (see QkvTargets); any strides with a contiguous last dim, the
     *            same for all three
     * </pre>
     */
    void qkNormRope(Tensor qkv, Tensor normQ, Tensor normK, float eps, Tensor cos, Tensor sin,
                    Tensor q, Tensor k, Tensor v, long seqOffset);

    /**
     * Softmax attention with no mask: {@code out[Sq, H*Dh] = softmax(q k^T * scale) v}, head by head.
     *
     * <pre>
     *   q [H, Sq, Dh], k/v [H, Sk, Dh]
     *   out [Sq, H*Dh]  (fp32 when it is to be merged with other blocks)
     *       or [N, Sq/N, H*Dh]: the rows in N consecutive parts, each anywhere (dim 0's stride), so that
     *       each part can be the memory of the rank that owns those tokens (Ulysses' way back)
     *   lse [H, Sq]     fp32 log-sum-exp of the scaled scores; may be null
     * </pre>
     */
    void attention(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, float scale);

    /**
     * Merges a partial attention result into a running one, in fp32 (Ring attention):
     * {@code out = out - sigmoid(lseB - lse) * (out - outB)}, {@code lse = lse - logsigmoid(lse - lseB)}.
     * {@code out, outB: [S, H*Dh]} fp32; {@code lse, lseB: [H, S]} fp32.
     */
    void mergeAttention(Tensor out, Tensor lse, Tensor outB, Tensor lseB);

    /** {@code out = a * b} elementwise; shapes must match (T5's gated feed-forward: {@code gelu(x W0) * x W1}). */
    void mul(Tensor out, Tensor a, Tensor b);

    /**
     * LayerNorm over the last dimension with optional affine parameters:
     * {@code out[S, D] = (x - mean) / sqrt(var + eps) * weight[D] + bias[D]} (CLIP); weight and bias may be null.
     */
    void layerNorm(Tensor out, Tensor x, Tensor weight, Tensor bias, float eps);

    /**
     * RMSNorm over the last dimension: {@code out[S, D] = x / sqrt(mean(x^2) + eps) * weight[D]}, the mean in fp32
     * (T5's T5LayerNorm: no mean subtraction, no bias).
     */
    void rmsNorm(Tensor out, Tensor x, Tensor weight, float eps);

    /**
     * GroupNorm of an image held channels-last, then an optional activation:
     * {@code x, out [P, C]} (P = height x width pixels), {@code groups} groups of {@code C / groups} consecutive
     * channels, each normalised over its pixels and channels, then {@code * weight[C] + bias[C]} (the VAE).
     */
    void groupNorm(Tensor out, Tensor x, Tensor weight, Tensor bias, int groups, float eps, Activation act);

    /**
     * 2D convolution, stride 1, zero padding {@code pad}, channels-last:
     * <pre>
     *   x      [H, W, Cin]            contiguous
     *   weight [Cout, kh, kw, Cin]    (PyTorch's [Cout, Cin, kh, kw] permuted when loaded)
     *   bias   [Cout] or null
     *   out    [H + 2 pad - kh + 1, W + 2 pad - kw + 1, Cout]
     * </pre>
     */
    void conv2d(Tensor out, Tensor x, Tensor weight, Tensor bias, int pad);

    /** Nearest-neighbour upsampling by 2, channels-last: {@code out[2H, 2W, C] = x[H, W, C]} repeated. */
    void upsampleNearest2x(Tensor out, Tensor x);

    /**
     * Rows of an embedding table: {@code out[S, D] = table[ids[s], :]}; {@code ids [S]} are I32 on this device;
     * an id outside the table is an error (checked on the host before upload by the callers that own the ids).
     */
    void embedding(Tensor out, Tensor table, Tensor ids);

    /**
     * Softmax attention with a causal mask and/or an additive bias, no log-sum-exp (text encoders):
     * <pre>
     *   q [H, Sq, Dh], k/v [H, Sk, Dh]   any strides with a contiguous last dim (token-major views work)
     *   bias [H, Sq, Sk] fp32 or null    added to the scaled scores (T5's relative position bias)
     *   causal                           query i sees keys 0..i only (CLIP)
     *   out [Sq, H*Dh]
     * </pre>
     * {@code out = softmax(q k^T * scale + bias, masked) v}, accumulated in fp32.
     */
    void maskedAttention(Tensor out, Tensor q, Tensor k, Tensor v, float scale, boolean causal, Tensor bias);

    /** {@code x[S, D] += gate[D] * y[S, D]}, in place: the gated residual of DiT blocks. */
    void addGated(Tensor x, Tensor y, Tensor gate);

    /**
     * Runs two independent pieces of work, each against the {@code Ops} it is handed, where the backend can
     * overlap them (CUDA: {@code side} on a second stream). Both see everything enqueued before this call;
     * everything enqueued after it sees both done. The pieces must not touch each other's outputs and
     * must not allocate from this {@link #scratch()}: allocate before the call (the side's {@code Ops} may
     * have an arena of its own). Default: {@code main}, then {@code side}, on this {@code Ops}.
     */
    default void concurrently(java.util.function.Consumer<Ops> main, java.util.function.Consumer<Ops> side) {
        main.accept(this);
        side.accept(this);
    }

    /**
     * The sinusoidal timestep embedding of diffusers' {@code get_timestep_embedding} with
     * {@code flip_sin_to_cos=True, downscale_freq_shift=0}: {@code out[dim] = [cos(t*f), sin(t*f)]},
     * {@code f_i = exp(-ln(10000) * i / (dim/2))}, with t read from the device scalar {@code t[1]}
     * multiplied by {@code tScale}, so a captured step can read a new timestep each replay.
     */
    void timestepEmbedding(Tensor out, Tensor t, float tScale);

    /**
     * FP8 (e4m3) quantization for communication: {@code x [S, C]} is cut into groups of {@code group}
     * consecutive elements per row (one group per head when {@code group = Dh}); each group gets the
     * fp32 scale {@code amax / 448} in {@code scales [S, C / group]} (an all-zero group may get any
     * scale; it dequantizes to zeros) and
     * {@code q8 [S, C]} holds {@code x / scale} rounded to e4m3.
     */
    void quantizeFp8(Tensor q8, Tensor scales, Tensor x, int group);

    /** The inverse of {@link #quantizeFp8}: {@code x = q8 * scale} per group, into x's dtype. */
    void dequantizeFp8(Tensor x, Tensor q8, Tensor scales, int group);

    /** Blocks until all enqueued work is done. */
    void synchronize();

    @Override
    void close();
}
