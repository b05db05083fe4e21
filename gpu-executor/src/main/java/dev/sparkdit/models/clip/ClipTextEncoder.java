package dev.sparkdit.models.clip;

import dev.sparkdit.models.HeadViews;
import dev.sparkdit.models.ModelParam;
import dev.sparkdit.models.ParamLoader;
import dev.sparkdit.models.ParamPart;
import dev.sparkdit.models.RandomFill;
import dev.sparkdit.models.TensorSource;
import dev.sparkdit.ops.Activation;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The CLIP text encoder (transformers {@code CLIPTextModel}, FLUX.1's {@code text_encoder}) written against
 * {@link Ops}: token plus position embeddings, then per layer {@code x += out(causal attention(LN1(x)))} and
 * {@code x += fc2(quick_gelu(fc1(LN2(x))))}, a final LayerNorm, and the pooled vector: the final state at the
 * end-of-text position (FLUX uses only that, as {@code pooled_projections}). q/k/v are fused into one GEMM.
 */
public final class ClipTextEncoder {
    private final ClipTextConfig config;
    private final Tensor tokenEmbedding;
    private final Tensor positionEmbedding;
    private final Layer[] layers;
    private final Tensor finalWeight;
    private final Tensor finalBias;

    private ClipTextEncoder(ClipTextConfig config, Map<String, Tensor> p) {
        this.config = config;
        this.tokenEmbedding = p.get("embeddings.token_embedding.weight");
        this.positionEmbedding = p.get("embeddings.position_embedding.weight");
        this.layers = new Layer[config.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String l = "encoder.layers." + i + ".";
            layers[i] = new Layer(p.get(l + "layer_norm1.weight"), p.get(l + "layer_norm1.bias"), p.get(l + "qkv.weight"),
                    p.get(l + "qkv.bias"), p.get(l + "self_attn.out_proj.weight"), p.get(l + "self_attn.out_proj.bias"),
                    p.get(l + "layer_norm2.weight"), p.get(l + "layer_norm2.bias"), p.get(l + "mlp.fc1.weight"),
                    p.get(l + "mlp.fc1.bias"), p.get(l + "mlp.fc2.weight"), p.get(l + "mlp.fc2.bias"));
        }
        this.finalWeight = p.get("final_layer_norm.weight");
        this.finalBias = p.get("final_layer_norm.bias");
    }

    private record Layer(Tensor ln1w, Tensor ln1b, Tensor qkvW, Tensor qkvB, Tensor outW, Tensor outB, Tensor ln2w,
                         Tensor ln2b, Tensor fc1w, Tensor fc1b, Tensor fc2w, Tensor fc2b) {
    }

    public ClipTextConfig config() {
        return config;
    }

    /** transformers saves CLIPTextModel's keys with or without the {@code text_model.} prefix. */
    static String prefixOf(TensorSource src) {
        return src.names().contains("text_model.embeddings.token_embedding.weight") ? "text_model." : "";
    }

    static List<ModelParam> params(ClipTextConfig c, String prefix) {
        long d = c.hiddenSize();
        long m = c.intermediateSize();
        List<ModelParam> ps = new ArrayList<>();
        ps.add(single(prefix, "embeddings.token_embedding.weight", c.vocabSize(), d));
        ps.add(single(prefix, "embeddings.position_embedding.weight", c.maxPositions(), d));
        for (int i = 0; i < c.numLayers(); i++) {
            String l = "encoder.layers." + i + ".";
            String a = prefix + l + "self_attn.";
            ps.add(single(prefix, l + "layer_norm1.weight", d));
            ps.add(single(prefix, l + "layer_norm1.bias", d));
            ps.add(new ModelParam(l + "qkv.weight", new long[] {3 * d, d}, List.of(ParamPart.whole(a + "q_proj.weight", d, d),
                    ParamPart.whole(a + "k_proj.weight", d, d), ParamPart.whole(a + "v_proj.weight", d, d))));
            ps.add(new ModelParam(l + "qkv.bias", new long[] {3 * d}, List.of(ParamPart.whole(a + "q_proj.bias", d),
                    ParamPart.whole(a + "k_proj.bias", d), ParamPart.whole(a + "v_proj.bias", d))));
            ps.add(single(prefix, l + "self_attn.out_proj.weight", d, d));
            ps.add(single(prefix, l + "self_attn.out_proj.bias", d));
            ps.add(single(prefix, l + "layer_norm2.weight", d));
            ps.add(single(prefix, l + "layer_norm2.bias", d));
            ps.add(single(prefix, l + "mlp.fc1.weight", m, d));
            ps.add(single(prefix, l + "mlp.fc1.bias", m));
            ps.add(single(prefix, l + "mlp.fc2.weight", d, m));
            ps.add(single(prefix, l + "mlp.fc2.bias", d));
        }
        ps.add(single(prefix, "final_layer_norm.weight", d));
        ps.add(single(prefix, "final_layer_norm.bias", d));
        return ps;
    }

    /** A parameter named without the prefix, read from the prefixed key. */
    private static ModelParam single(String prefix, String name, long... shape) {
        return new ModelParam(name, shape, List.of(ParamPart.whole(prefix + name, shape)));
    }

    public static long weightBytes(ClipTextConfig c, DType dtype) {
        long total = 0;
        for (ModelParam p : params(c, "")) {
            long n = 1;
            for (long x : p.shape()) {
                n *= x;
            }
            total += Arena.alignUp(n * dtype.bytes());
        }
        return total;
    }

    /** Checks every key at once, then loads into {@code weights} as {@code dtype}. */
    public static ClipTextEncoder load(TensorSource src, ClipTextConfig config, Ops ops, Arena weights, DType dtype) {
        List<ModelParam> params = validate(src, config);
        return new ClipTextEncoder(config, ParamLoader.load(src, params, ops, weights, dtype));
    }

    /** Throws {@code CheckpointMismatchException} listing every bad key; returns the parameters to load. */
    public static List<ModelParam> validate(TensorSource src, ClipTextConfig config) {
        List<ModelParam> params = params(config, prefixOf(src));
        // text_model.embeddings.position_ids: a buffer some checkpoints keep; CLIPTextModelWithProjection's
        // projection: not used by FLUX.
        ParamLoader.validate(src, "transformers CLIPTextModel", params,
                k -> k.endsWith("embeddings.position_ids") || k.equals("text_projection.weight"));
        return params;
    }

    /** A model of this config with seeded random weights made on the device (benchmarks); see {@link #randomFills}. */
    public static ClipTextEncoder random(ClipTextConfig config, Ops ops, Arena weights, DType dtype, long seed) {
        Map<String, Tensor> p = new java.util.LinkedHashMap<>();
        for (RandomFill f : randomFills(config, seed)) {
            Tensor t = weights.allocate(dtype, f.param().shape());
            f.fill(ops, t);
            p.put(f.param().name(), t);
        }
        return new ClipTextEncoder(config, p);
    }

    /**
     * The values of {@link #random}, parameter {@code i} seeded {@code seed + i}: LayerNorm weights 1 +- 0.1, matrices
     * uniform in +-1/sqrt(fan_in), embeddings, biases and LayerNorm biases +-0.1. Keys without the {@code text_model.}
     * prefix, as transformers 5 saves CLIPTextModel.
     */
    public static List<RandomFill> randomFills(ClipTextConfig config, long seed) {
        List<RandomFill> fills = new ArrayList<>();
        long i = 0;
        for (ModelParam mp : params(config, "")) {
            long[] s = mp.shape();
            if (mp.name().contains("layer_norm") && mp.name().endsWith("weight")) {
                fills.add(new RandomFill(mp, seed + i, 1f, 0.1f));
            } else if (s.length == 2 && !mp.name().startsWith("embeddings")) {
                fills.add(new RandomFill(mp, seed + i, 0f, (float) (1.0 / Math.sqrt(s[1]))));
            } else {
                fills.add(new RandomFill(mp, seed + i, 0f, 0.1f));
            }
            i++;
        }
        return fills;
    }

    public static long scratchBytes(ClipTextConfig c, long tokens, DType dtype) {
        long perToken = 4L * c.hiddenSize() + 3L * c.hiddenSize() + c.intermediateSize();
        return perToken * tokens * Math.max(dtype.bytes(), 4) + (64L << 10) * 16;
    }

    /** Where the pooled vector is read: see {@link ClipTextConfig#eosTokenId()}. */
    public int poolingIndex(int[] ids) {
        int at = 0;
        if (config.eosTokenId() == 2) {
            for (int i = 1; i < ids.length; i++) {
                if (ids[i] > ids[at]) {
                    at = i;
                }
            }
            return at;
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == config.eosTokenId()) {
                return i;
            }
        }
        return 0;
    }

    /**
     * Encodes one prompt.
     *
     * <pre>
     *   out     [S, hidden]   the last hidden state (after the final LayerNorm)
     *   pooled  [hidden]      out's row at {@code poolIndex} ({@link #poolingIndex})
     *   ids     [S] I32       token ids on the device, S <= maxPositions
     * </pre>
     */
    public void forward(Ops ops, Tensor out, Tensor pooled, Tensor ids, int poolIndex) {
        long s = ids.dim(0);
        if (s > config.maxPositions()) {
            throw new IllegalArgumentException("CLIP takes at most " + config.maxPositions() + " tokens, got " + s);
        }
        long d = config.hiddenSize();
        long hd = config.headDim();
        long h = config.numHeads();
        float eps = (float) config.layerNormEps();
        Arena scratch = ops.scratch();
        long mark = scratch.mark();
        DType dt = out.dtype();
        Tensor x = scratch.allocate(dt, s, d);
        Tensor normed = scratch.allocate(dt, s, d);
        Tensor qkv = scratch.allocate(dt, s, 3 * d);
        Tensor attn = scratch.allocate(dt, s, d);
        Tensor proj = scratch.allocate(dt, s, d);
        Tensor hidden = scratch.allocate(dt, s, config.intermediateSize());
        ops.embedding(x, tokenEmbedding, ids);
        ops.add(x, x, positionEmbedding.narrow(0, 0, s));
        float scale = (float) (1.0 / Math.sqrt(hd));
        for (Layer l : layers) {
            ops.layerNorm(normed, x, l.ln1w, l.ln1b, eps);
            ops.linear(qkv, normed, l.qkvW, l.qkvB, Activation.NONE);
            ops.maskedAttention(attn, HeadViews.of(qkv, 0, h, hd), HeadViews.of(qkv, d, h, hd), HeadViews.of(qkv, 2 * d, h, hd),
                    scale, true, null);
            ops.linear(proj, attn, l.outW, l.outB, Activation.NONE);
            ops.add(x, x, proj);
            ops.layerNorm(normed, x, l.ln2w, l.ln2b, eps);
            ops.linear(hidden, normed, l.fc1w, l.fc1b, Activation.QUICK_GELU);
            ops.linear(proj, hidden, l.fc2w, l.fc2b, Activation.NONE);
            ops.add(x, x, proj);
        }
        ops.layerNorm(out, x, finalWeight, finalBias, eps);
        ops.copy(pooled.view(1, d), out.narrow(0, poolIndex, 1));
        scratch.reset(mark);
    }
}
