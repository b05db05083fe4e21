package dev.sparkdit.models.t5;

import dev.sparkdit.models.HeadViews;
import dev.sparkdit.models.HostFloats;
import dev.sparkdit.models.ModelParam;
import dev.sparkdit.models.ParamLoader;
import dev.sparkdit.models.ParamPart;
import dev.sparkdit.models.RandomFill;
import dev.sparkdit.models.TensorSource;
import dev.sparkdit.ops.Activation;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.HostBuffers;
import dev.sparkdit.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The T5 encoder (transformers {@code T5EncoderModel}, FLUX.1's {@code text_encoder_2}), written against {@link Ops}:
 * token embedding, then per block {@code x += o(attention(RMSNorm(x)))} with unscaled attention plus the relative
 * position bias of block 0, and {@code x += wo(gelu(wi_0 n) * wi_1 n)} with {@code n = RMSNorm(x)}; a final RMSNorm.
 * FLUX passes no attention mask (padding tokens are attended to), and neither does this.
 *
 * <p>Parameters carry the checkpoint's names; q/k/v are fused into one {@code [3 inner, dModel]} weight and
 * wi_0/wi_1 into one {@code [2 dFf, dModel]}, so each is one GEMM. The embedding is read from
 * {@code encoder.embed_tokens.weight} or, when only the tied copy is stored, {@code shared.weight}.
 */
public final class T5Encoder {
    static final String EMBED = "encoder.embed_tokens.weight";
    static final String SHARED = "shared.weight";
    /** The relative position bias {@code [buckets, heads]}, held by the first block only. */
    static final String RELATIVE_BIAS = "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight";

    private final T5Config config;
    private final Tensor embedding;
    private final Block[] blocks;
    private final Tensor finalNorm;
    /** Block 0's {@code relative_attention_bias.weight} on the host, {@code [buckets, heads]}: the bias is built there. */
    private final float[] relativeBias;

    private T5Encoder(T5Config config, Map<String, Tensor> p, float[] relativeBias) {
        this.config = config;
        this.embedding = p.get("embedding");
        this.blocks = new Block[config.numLayers()];
        for (int i = 0; i < blocks.length; i++) {
            String b = "encoder.block." + i + ".";
            blocks[i] = new Block(p.get(b + "qkv"), p.get(b + "layer.0.SelfAttention.o.weight"),
                    p.get(b + "layer.0.layer_norm.weight"), p.get(b + "wi"), p.get(b + "layer.1.DenseReluDense.wo.weight"),
                    p.get(b + "layer.1.layer_norm.weight"));
        }
        this.finalNorm = p.get("encoder.final_layer_norm.weight");
        this.relativeBias = relativeBias;
    }

    private record Block(Tensor qkv, Tensor o, Tensor attnNorm, Tensor wi, Tensor wo, Tensor ffNorm) {
    }

    public T5Config config() {
        return config;
    }

    /** The parameters as the model holds them, each assembled from checkpoint keys ({@code embedKey}: which copy). */
    static List<ModelParam> params(T5Config c, String embedKey) {
        long d = c.dModel();
        long inner = c.innerDim();
        long ff = c.dFf();
        List<ModelParam> ps = new ArrayList<>();
        ps.add(new ModelParam("embedding", new long[] {c.vocabSize(), d},
                List.of(ParamPart.whole(embedKey, c.vocabSize(), d))));
        for (int i = 0; i < c.numLayers(); i++) {
            String b = "encoder.block." + i + ".";
            String att = b + "layer.0.SelfAttention.";
            ps.add(new ModelParam(b + "qkv", new long[] {3 * inner, d}, List.of(ParamPart.whole(att + "q.weight", inner, d),
                    ParamPart.whole(att + "k.weight", inner, d), ParamPart.whole(att + "v.weight", inner, d))));
            ps.add(single(att + "o.weight", d, inner));
            if (i == 0) {
                ps.add(single(att + "relative_attention_bias.weight", c.numBuckets(), c.numHeads()));
            }
            ps.add(single(b + "layer.0.layer_norm.weight", d));
            String dense = b + "layer.1.DenseReluDense.";
            ps.add(new ModelParam(b + "wi", new long[] {2 * ff, d}, List.of(ParamPart.whole(dense + "wi_0.weight", ff, d),
                    ParamPart.whole(dense + "wi_1.weight", ff, d))));
            ps.add(single(dense + "wo.weight", d, ff));
            ps.add(single(b + "layer.1.layer_norm.weight", d));
        }
        ps.add(single("encoder.final_layer_norm.weight", d));
        return ps;
    }

    private static ModelParam single(String key, long... shape) {
        return new ModelParam(key, shape, List.of(ParamPart.whole(key, shape)));
    }

    /** Bytes the weights take in {@code dtype} (arena alignment included). */
    public static long weightBytes(T5Config c, DType dtype) {
        long total = 0;
        for (ModelParam p : params(c, EMBED)) {
            long n = 1;
            for (long x : p.shape()) {
                n *= x;
            }
            total += Arena.alignUp(n * dtype.bytes());
        }
        return total;
    }

    /**
     * Checks the checkpoint against the config (every missing, unexpected and mis-shaped key at once), then loads it
     * into {@code weights} as {@code dtype}.
     */
    public static T5Encoder load(TensorSource src, T5Config config, Ops ops, Arena weights, DType dtype) {
        List<ModelParam> params = validate(src, config);
        return new T5Encoder(config, ParamLoader.load(src, params, ops, weights, dtype),
                HostFloats.of(src, RELATIVE_BIAS));
    }

    /** Throws {@code CheckpointMismatchException} listing every bad key; returns the parameters to load. */
    public static List<ModelParam> validate(TensorSource src, T5Config config) {
        String embedKey = src.names().contains(EMBED) ? EMBED : SHARED;
        List<ModelParam> params = params(config, embedKey);
        String other = embedKey.equals(EMBED) ? SHARED : EMBED;
        ParamLoader.validate(src, "transformers T5EncoderModel", params, other::equals);
        return params;
    }

    /**
     * A model of this config with seeded random weights made on the device (benchmarks: {@code random:dev}); see
     * {@link #randomFills}. The relative position bias is also computed on the host, where the encoder reads it.
     */
    public static T5Encoder random(T5Config config, Ops ops, Arena weights, DType dtype, long seed) {
        Map<String, Tensor> p = new java.util.LinkedHashMap<>();
        float[] bias = null;
        for (RandomFill f : randomFills(config, seed)) {
            Tensor t = weights.allocate(dtype, f.param().shape());
            f.fill(ops, t);
            p.put(f.param().name(), t);
            if (f.param().name().equals(RELATIVE_BIAS)) {
                bias = new float[config.numBuckets() * config.numHeads()];
                dev.sparkdit.ops.SeededUniform.fill(bias, f.seed(), 0, f.offset(), f.scale());
            }
        }
        return new T5Encoder(config, p, bias);
    }

    /**
     * The values of {@link #random}, parameter {@code i} seeded {@code seed + i} except the relative position bias
     * ({@code seed - 1}): RMSNorm weights 1 +- 0.1, matrices uniform in +-1/sqrt(fan_in), the embedding and the
     * position bias +-1. The embedding's key is {@code shared.weight}, the one copy transformers 5 saves.
     */
    public static List<RandomFill> randomFills(T5Config config, long seed) {
        List<RandomFill> fills = new ArrayList<>();
        long i = 0;
        for (ModelParam mp : params(config, SHARED)) {
            long[] s = mp.shape();
            if (mp.name().endsWith("layer_norm.weight")) {
                fills.add(new RandomFill(mp, seed + i, 1f, 0.1f));
            } else if (mp.name().equals(RELATIVE_BIAS)) {
                fills.add(new RandomFill(mp, seed - 1, 0f, 1f));
            } else if (s.length == 2 && !mp.name().equals("embedding")) {
                fills.add(new RandomFill(mp, seed + i, 0f, (float) (1.0 / Math.sqrt(s[1]))));
            } else {
                fills.add(new RandomFill(mp, seed + i, 0f, 1f));
            }
            i++;
        }
        return fills;
    }

    /** The position bias {@code [H, S, S]} fp32 for {@code tokens} tokens, uploaded into {@code arena}. */
    public Tensor positionBias(Ops ops, Arena arena, int tokens) {
        Tensor t = arena.allocate(DType.F32, config.numHeads(), tokens, tokens);
        ops.copyFromHost(t, HostBuffers.floats(T5RelativePosition.bias(relativeBias, config.numHeads(), tokens,
                config.numBuckets(), config.maxDistance())), DType.F32);
        return t;
    }

    /** Bytes {@link #positionBias} takes for {@code tokens} tokens. */
    public static long positionBiasBytes(T5Config c, int tokens) {
        return Arena.alignUp(4L * c.numHeads() * tokens * tokens);
    }

    /**
     * Scratch one {@link #forward} takes for {@code tokens} tokens: the residual stream, the normalised input, the
     * fused q/k/v, the attention output, the projection and the fused feed-forward pair.
     */
    public static long scratchBytes(T5Config c, long tokens, DType dtype) {
        long perToken = 4L * c.dModel() + 3L * c.innerDim() + c.innerDim() + 2L * c.dFf();
        return perToken * tokens * Math.max(dtype.bytes(), 4) + (64L << 10) * 16;
    }

    /**
     * Encodes one prompt.
     *
     * <pre>
     *   out   [S, dModel]    the last hidden state
     *   ids   [S] I32        token ids on the device (checked against the vocabulary by the caller)
     *   bias  [H, S, S] fp32 {@link #positionBias} for S tokens
     * </pre>
     */
    public void forward(Ops ops, Tensor out, Tensor ids, Tensor bias) {
        long s = ids.dim(0);
        long d = config.dModel();
        long inner = config.innerDim();
        long dkv = config.dKv();
        long h = config.numHeads();
        float eps = (float) config.layerNormEpsilon();
        Arena scratch = ops.scratch();
        long mark = scratch.mark();
        DType dt = out.dtype();
        Tensor x = scratch.allocate(dt, s, d);
        Tensor normed = scratch.allocate(dt, s, d);
        Tensor qkv = scratch.allocate(dt, s, 3 * inner);
        Tensor attn = scratch.allocate(dt, s, inner);
        Tensor proj = scratch.allocate(dt, s, d);
        Tensor wi = scratch.allocate(dt, s, 2 * config.dFf());
        Tensor gate = wi.narrow(1, 0, config.dFf());
        Tensor up = wi.narrow(1, config.dFf(), config.dFf());
        ops.embedding(x, embedding, ids);
        for (Block b : blocks) {
            ops.rmsNorm(normed, x, b.attnNorm, eps);
            ops.linear(qkv, normed, b.qkv, null, Activation.NONE);
            // [S, 3 inner] seen as three [H, S, dkv] views: head stride dkv, row stride 3 inner.
            Tensor q = HeadViews.of(qkv, 0, h, dkv);
            Tensor k = HeadViews.of(qkv, inner, h, dkv);
            Tensor v = HeadViews.of(qkv, 2 * inner, h, dkv);
            ops.maskedAttention(attn, q, k, v, 1f, false, bias);
            ops.linear(proj, attn, b.o, null, Activation.NONE);
            ops.add(x, x, proj);
            ops.rmsNorm(normed, x, b.ffNorm, eps);
            ops.linear(wi, normed, b.wi, null, Activation.NONE);
            ops.activation(gate, gate, Activation.GELU_TANH);
            ops.mul(gate, gate, up);
            ops.linear(proj, gate, b.wo, null, Activation.NONE);
            ops.add(x, x, proj);
        }
        ops.rmsNorm(out, x, finalNorm, eps);
        scratch.reset(mark);
    }
}
