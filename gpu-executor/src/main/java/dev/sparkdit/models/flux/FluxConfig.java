package dev.sparkdit.models.flux;

import java.util.Arrays;
import java.util.Map;

/**
 * The FLUX.1 transformer's shape, with diffusers' {@code FluxTransformer2DModel} constructor arguments
 * as fields. {@link #DEV} and {@link #SCHNELL} are the released models.
 *
 * @param inChannels        latent channels per token after 2x2 packing (64 for FLUX.1)
 * @param outChannels       channels per output token (diffusers: {@code out_channels or in_channels})
 * @param numLayers         double-stream blocks (19)
 * @param numSingleLayers   single-stream blocks (38)
 * @param attentionHeadDim  head dim (128); must equal the sum of {@code axesDimsRope}
 * @param numAttentionHeads heads (24); hidden size = heads x head dim
 * @param jointAttentionDim text encoder (T5) width (4096)
 * @param pooledProjectionDim pooled text (CLIP) width (768)
 * @param guidanceEmbeds    FLUX.1-dev's distilled guidance input; schnell has none
 * @param axesDimsRope      rotary dims per position axis (16, 56, 56)
 */
public record FluxConfig(int inChannels, int outChannels, int numLayers, int numSingleLayers,
                         int attentionHeadDim, int numAttentionHeads, int jointAttentionDim,
                         int pooledProjectionDim, boolean guidanceEmbeds, int[] axesDimsRope) {

    /** Width of the sinusoidal timestep (and guidance) embedding fed to their MLPs. */
    public static final int TIMESTEP_CHANNELS = 256;
    /** The feed-forward widening of both block kinds (diffusers {@code mlp_ratio}). */
    public static final int MLP_RATIO = 4;
    /** Epsilon of every LayerNorm and RMSNorm in the model. */
    public static final float NORM_EPS = 1e-6f;
    /** RoPE base. */
    public static final double ROPE_THETA = 10000.0;

    public static final FluxConfig DEV = new FluxConfig(64, 64, 19, 38, 128, 24, 4096, 768, true,
            new int[] {16, 56, 56});
    public static final FluxConfig SCHNELL = new FluxConfig(64, 64, 19, 38, 128, 24, 4096, 768, false,
            new int[] {16, 56, 56});

    public FluxConfig {
        positive("in_channels", inChannels);
        positive("out_channels", outChannels);
        nonNegative("num_layers", numLayers);
        nonNegative("num_single_layers", numSingleLayers);
        positive("attention_head_dim", attentionHeadDim);
        positive("num_attention_heads", numAttentionHeads);
        positive("joint_attention_dim", jointAttentionDim);
        positive("pooled_projection_dim", pooledProjectionDim);
        if (axesDimsRope == null || axesDimsRope.length == 0) {
            throw new IllegalArgumentException("axes_dims_rope must list the rotary dims per axis");
        }
        axesDimsRope = axesDimsRope.clone();
        int sum = 0;
        for (int a : axesDimsRope) {
            if (a <= 0 || a % 2 != 0) {
                throw new IllegalArgumentException("axes_dims_rope " + Arrays.toString(axesDimsRope)
                        + ": every entry must be positive and even, got " + a);
            }
            sum += a;
        }
        if (sum != attentionHeadDim) {
            throw new IllegalArgumentException("axes_dims_rope " + Arrays.toString(axesDimsRope) + " sums to "
                    + sum + " but attention_head_dim is " + attentionHeadDim);
        }
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + v);
        }
    }

    private static void nonNegative(String name, int v) {
        if (v < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + v);
        }
    }

    @Override
    public int[] axesDimsRope() {
        return axesDimsRope.clone();
    }

    /** Hidden size: heads x head dim (3072 for FLUX.1). */
    public int dim() {
        return numAttentionHeads * attentionHeadDim;
    }

    public int mlpHidden() {
        return dim() * MLP_RATIO;
    }

    /** A preset by name: {@code dev} / {@code flux.1-dev} or {@code schnell} / {@code flux.1-schnell}. */
    public static FluxConfig preset(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "dev", "flux.1-dev", "flux1-dev" -> DEV;
            case "schnell", "flux.1-schnell", "flux1-schnell" -> SCHNELL;
            default -> throw new IllegalArgumentException("unknown FLUX preset '" + name
                    + "' (expected flux.1-dev or flux.1-schnell)");
        };
    }

    /** True when a diffusers config.json describes a FLUX transformer. */
    public static boolean isFluxConfig(Map<String, Object> json) {
        return json.containsKey("num_single_layers") && json.containsKey("joint_attention_dim");
    }

    /**
     * Reads diffusers' {@code config.json} for {@code FluxTransformer2DModel}. Keys missing there take
     * diffusers' constructor defaults; keys this implementation cannot honour are rejected by name.
     */
    public static FluxConfig fromDiffusers(Map<String, Object> json) {
        int patch = intKey(json, "patch_size", 1);
        if (patch != 1) {
            throw new IllegalArgumentException("config.json patch_size " + patch
                    + " is not supported (FLUX packs 2x2 patches outside the transformer: patch_size is 1)");
        }
        int in = intKey(json, "in_channels", 64);
        Object out = json.get("out_channels");
        int[] axes = intList(json, "axes_dims_rope", new int[] {16, 56, 56});
        Object guidance = json.getOrDefault("guidance_embeds", Boolean.FALSE);
        if (!(guidance instanceof Boolean)) {
            throw new IllegalArgumentException("config.json guidance_embeds must be true or false, got " + guidance);
        }
        return new FluxConfig(in, out == null ? in : toInt("out_channels", out),
                intKey(json, "num_layers", 19), intKey(json, "num_single_layers", 38),
                intKey(json, "attention_head_dim", 128), intKey(json, "num_attention_heads", 24),
                intKey(json, "joint_attention_dim", 4096), intKey(json, "pooled_projection_dim", 768),
                (Boolean) guidance, axes);
    }

    /**
     * diffusers' {@code config.json} for {@code FluxTransformer2DModel} of this shape, with every constructor argument
     * as {@code save_pretrained} writes it ({@code out_channels} null when it equals {@code in_channels}, as in
     * FLUX.1's own files); {@link #fromDiffusers} reads it back to an equal config.
     */
    public Map<String, Object> toDiffusers() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("_class_name", "FluxTransformer2DModel");
        m.put("_diffusers_version", dev.sparkdit.models.ConfigJson.DIFFUSERS_VERSION);
        m.put("attention_head_dim", attentionHeadDim);
        m.put("axes_dims_rope", Arrays.stream(axesDimsRope).boxed().toList());
        m.put("guidance_embeds", guidanceEmbeds);
        m.put("in_channels", inChannels);
        m.put("joint_attention_dim", jointAttentionDim);
        m.put("num_attention_heads", numAttentionHeads);
        m.put("num_layers", numLayers);
        m.put("num_single_layers", numSingleLayers);
        m.put("out_channels", outChannels == inChannels ? null : outChannels);
        m.put("patch_size", 1);
        m.put("pooled_projection_dim", pooledProjectionDim);
        return m;
    }

    private static int intKey(Map<String, Object> json, String key, int dflt) {
        Object v = json.get(key);
        return v == null ? dflt : toInt(key, v);
    }

    private static int toInt(String key, Object v) {
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
            return n.intValue();
        }
        throw new IllegalArgumentException("config.json " + key + " must be an integer, got " + v);
    }

    private static int[] intList(Map<String, Object> json, String key, int[] dflt) {
        Object v = json.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof java.util.List<?> list)) {
            throw new IllegalArgumentException("config.json " + key + " must be a list of integers, got " + v);
        }
        int[] r = new int[list.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = toInt(key + "[" + i + "]", list.get(i));
        }
        return r;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FluxConfig c && c.inChannels == inChannels && c.outChannels == outChannels
                && c.numLayers == numLayers && c.numSingleLayers == numSingleLayers
                && c.attentionHeadDim == attentionHeadDim && c.numAttentionHeads == numAttentionHeads
                && c.jointAttentionDim == jointAttentionDim && c.pooledProjectionDim == pooledProjectionDim
                && c.guidanceEmbeds == guidanceEmbeds && Arrays.equals(c.axesDimsRope, axesDimsRope);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new int[] {inChannels, outChannels, numLayers, numSingleLayers, attentionHeadDim,
                numAttentionHeads, jointAttentionDim, pooledProjectionDim, guidanceEmbeds ? 1 : 0})
                * 31 + Arrays.hashCode(axesDimsRope);
    }

    @Override
    public String toString() {
        return "FluxConfig[in=" + inChannels + ", out=" + outChannels + ", double=" + numLayers + ", single="
                + numSingleLayers + ", heads=" + numAttentionHeads + "x" + attentionHeadDim + ", text="
                + jointAttentionDim + ", pooled=" + pooledProjectionDim + ", guidance=" + guidanceEmbeds
                + ", rope=" + Arrays.toString(axesDimsRope) + "]";
    }
}
