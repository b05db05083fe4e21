package dev.sparkdit.models.t5;

import dev.sparkdit.models.ConfigJson;

/**
 * The T5 encoder's shape (transformers {@code T5Config}), as FLUX.1's {@code text_encoder_2} (T5-XXL v1.1) uses it:
 * gated-GELU feed-forward, RMSNorm, unscaled attention with a bidirectional relative position bias.
 *
 * @param vocabSize          token embedding rows
 * @param dModel             hidden width
 * @param dKv                width of one attention head (heads x dKv may differ from dModel)
 * @param dFf                feed-forward width
 * @param numLayers          encoder blocks
 * @param numHeads           attention heads
 * @param numBuckets         relative position buckets
 * @param maxDistance        relative distance beyond which buckets are shared
 * @param layerNormEpsilon   RMSNorm epsilon
 */
public record T5Config(int vocabSize, int dModel, int dKv, int dFf, int numLayers, int numHeads, int numBuckets,
                       int maxDistance, double layerNormEpsilon) {

    /** google/t5-v1_1-xxl as FLUX.1-dev and schnell ship it in text_encoder_2/. */
    public static final T5Config XXL = new T5Config(32128, 4096, 64, 10240, 24, 64, 32, 128, 1e-6);

    public T5Config {
        for (int v : new int[] {vocabSize, dModel, dKv, dFf, numLayers, numHeads, numBuckets, maxDistance}) {
            if (v <= 0) {
                throw new IllegalArgumentException("T5 config values must be positive: " + this);
            }
        }
        if (numBuckets % 2 != 0 || numBuckets < 4) {
            throw new IllegalArgumentException("T5 relative_attention_num_buckets must be even and >= 4 (bidirectional),"
                    + " got " + numBuckets);
        }
        if (!(layerNormEpsilon > 0)) {
            throw new IllegalArgumentException("T5 layer_norm_epsilon must be > 0, got " + layerNormEpsilon);
        }
    }

    public int innerDim() {
        return numHeads * dKv;
    }

    /**
     * transformers' {@code config.json} for {@code T5EncoderModel} of this shape with weights of {@code dtype}, keys as
     * {@code save_pretrained} writes them (T5 v1.1: gated-GELU with {@code gelu_new}; the decoder's sizes equal the
     * encoder's). {@link #fromTransformers} reads it back to an equal config.
     */
    public java.util.Map<String, Object> toTransformers(dev.sparkdit.tensor.DType dtype) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("architectures", java.util.List.of("T5EncoderModel"));
        m.put("classifier_dropout", 0.0);
        m.put("d_ff", dFf);
        m.put("d_kv", dKv);
        m.put("d_model", dModel);
        m.put("dense_act_fn", "gelu_new");
        m.put("dropout_rate", 0.0);
        m.put("dtype", ConfigJson.torchDtypeName(dtype));
        m.put("eos_token_id", 1);
        m.put("feed_forward_proj", "gated-gelu");
        m.put("initializer_factor", 1.0);
        m.put("is_decoder", false);
        m.put("is_encoder_decoder", false);
        m.put("is_gated_act", true);
        m.put("layer_norm_epsilon", layerNormEpsilon);
        m.put("model_type", "t5");
        m.put("num_decoder_layers", numLayers);
        m.put("num_heads", numHeads);
        m.put("num_layers", numLayers);
        m.put("pad_token_id", 0);
        m.put("relative_attention_max_distance", maxDistance);
        m.put("relative_attention_num_buckets", numBuckets);
        m.put("scale_decoder_outputs", true);
        m.put("tie_word_embeddings", true);
        m.put("transformers_version", ConfigJson.TRANSFORMERS_VERSION);
        m.put("use_cache", false);
        m.put("vocab_size", vocabSize);
        return m;
    }

    /** Reads transformers' {@code config.json}; an activation or feed-forward this encoder does not run is refused. */
    public static T5Config fromTransformers(ConfigJson c) {
        String ff = c.stringValue("feed_forward_proj", "gated-gelu");
        if (!ff.equals("gated-gelu")) {
            throw new IllegalArgumentException(c.source() + ": feed_forward_proj '" + ff + "' is not supported (T5 v1.1,"
                    + " as FLUX uses it, is gated-gelu)");
        }
        String act = c.stringValue("dense_act_fn", "gelu_new");
        if (!act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh")) {
            throw new IllegalArgumentException(c.source() + ": dense_act_fn '" + act + "' is not supported (gelu_new)");
        }
        if (c.boolValue("is_decoder", false)) {
            throw new IllegalArgumentException(c.source() + ": is_decoder is true; only the T5 encoder is supported");
        }
        return new T5Config(c.requireInt("vocab_size"), c.requireInt("d_model"), c.intValue("d_kv", 64),
                c.requireInt("d_ff"), c.requireInt("num_layers"), c.requireInt("num_heads"),
                c.intValue("relative_attention_num_buckets", 32), c.intValue("relative_attention_max_distance", 128),
                c.doubleValue("layer_norm_epsilon", 1e-6));
    }
}
