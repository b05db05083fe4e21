package dev.sparkdit.models.clip;

import dev.sparkdit.models.ConfigJson;

/**
 * The CLIP text encoder's shape (transformers {@code CLIPTextConfig}), as FLUX.1's {@code text_encoder} (CLIP ViT-L/14)
 * uses it: learned positions, pre-LayerNorm blocks with causal attention and quick GELU, a final LayerNorm, and the
 * pooled vector taken at the end-of-text token.
 *
 * @param eosTokenId 2 means the legacy rule of CLIP-L's config: pool at the largest id in the sequence (the end-of-text
 *                   token has the largest id of its vocabulary); any other value: pool at its first occurrence
 */
public record ClipTextConfig(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                             int maxPositions, double layerNormEps, int eosTokenId) {

    /** openai/clip-vit-large-patch14's text model, as FLUX.1 ships it in text_encoder/. */
    public static final ClipTextConfig L14 = new ClipTextConfig(49408, 768, 3072, 12, 12, 77, 1e-5, 2);

    public ClipTextConfig {
        for (int v : new int[] {vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, maxPositions}) {
            if (v <= 0) {
                throw new IllegalArgumentException("CLIP config values must be positive: " + this);
            }
        }
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("CLIP hidden_size " + hiddenSize + " is not divisible by "
                    + numHeads + " heads");
        }
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    /**
     * transformers' {@code config.json} for {@code CLIPTextModel} of this shape with weights of {@code dtype}, keys as
     * {@code save_pretrained} writes them; the ids and sizes this record does not hold are openai/clip-vit-large-
     * patch14's ({@code bos_token_id} 0, {@code pad_token_id} 1, {@code projection_dim} = {@code hidden_size}).
     * {@link #fromTransformers} reads it back to an equal config.
     */
    public java.util.Map<String, Object> toTransformers(dev.sparkdit.tensor.DType dtype) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("architectures", java.util.List.of("CLIPTextModel"));
        m.put("attention_dropout", 0.0);
        m.put("bos_token_id", 0);
        m.put("dtype", ConfigJson.torchDtypeName(dtype));
        m.put("eos_token_id", eosTokenId);
        m.put("hidden_act", "quick_gelu");
        m.put("hidden_size", hiddenSize);
        m.put("initializer_factor", 1.0);
        m.put("initializer_range", 0.02);
        m.put("intermediate_size", intermediateSize);
        m.put("layer_norm_eps", layerNormEps);
        m.put("max_position_embeddings", maxPositions);
        m.put("model_type", "clip_text_model");
        m.put("num_attention_heads", numHeads);
        m.put("num_hidden_layers", numLayers);
        m.put("pad_token_id", 1);
        m.put("projection_dim", hiddenSize);
        m.put("transformers_version", ConfigJson.TRANSFORMERS_VERSION);
        m.put("vocab_size", vocabSize);
        return m;
    }

    public static ClipTextConfig fromTransformers(ConfigJson c) {
        String act = c.stringValue("hidden_act", "quick_gelu");
        if (!act.equals("quick_gelu")) {
            throw new IllegalArgumentException(c.source() + ": hidden_act '" + act + "' is not supported (quick_gelu)");
        }
        return new ClipTextConfig(c.requireInt("vocab_size"), c.requireInt("hidden_size"),
                c.requireInt("intermediate_size"), c.requireInt("num_hidden_layers"), c.requireInt("num_attention_heads"),
                c.intValue("max_position_embeddings", 77), c.doubleValue("layer_norm_eps", 1e-5),
                c.intValue("eos_token_id", 2));
    }
}
