package dev.sparkdit.models.vae;

import dev.sparkdit.models.ConfigJson;

import java.util.Arrays;

/**
 * The FLUX autoencoder's decoder shape (diffusers {@code AutoencoderKL} config): latent channels, the blocks' widths
 * (encoder order; the decoder runs them reversed), ResNet layers per block, GroupNorm groups, and the latents'
 * scaling and shift ({@code z = latents / scaling + shift} before decoding).
 */
public record VaeConfig(int latentChannels, int outChannels, int[] blockOutChannels, int layersPerBlock, int normGroups,
                        double scalingFactor, double shiftFactor, boolean midBlockAttention) {

    /** GroupNorm epsilon of every decoder norm (diffusers' Decoder: resnet_eps = 1e-6). */
    public static final float NORM_EPS = 1e-6f;

    /** black-forest-labs/FLUX.1-dev's vae/ (FLUX.1-schnell ships the same). */
    public static final VaeConfig FLUX = new VaeConfig(16, 3, new int[] {128, 256, 512, 512}, 2, 32, 0.3611, 0.1159, true);

    public VaeConfig {
        blockOutChannels = blockOutChannels.clone();
        if (latentChannels <= 0 || outChannels <= 0 || blockOutChannels.length == 0 || layersPerBlock <= 0
                || normGroups <= 0) {
            throw new IllegalArgumentException("VAE config values must be positive: " + Arrays.toString(blockOutChannels));
        }
        for (int c : blockOutChannels) {
            if (c <= 0 || c % normGroups != 0) {
                throw new IllegalArgumentException("VAE block width " + c + " is not a positive multiple of "
                        + normGroups + " norm groups");
            }
        }
        if (!(scalingFactor > 0)) {
            throw new IllegalArgumentException("VAE scaling_factor must be > 0, got " + scalingFactor);
        }
    }

    @Override
    public int[] blockOutChannels() {
        return blockOutChannels.clone();
    }

    /** Each up block but the last doubles height and width. */
    public int upscale() {
        return 1 << (blockOutChannels.length - 1);
    }

    /**
     * diffusers' {@code config.json} for {@code AutoencoderKL} of this shape, every constructor argument as
     * {@code save_pretrained} writes it: no quant convolutions (FLUX's), {@code in_channels} = {@code out_channels},
     * {@code sample_size} 1024 (FLUX.1's). {@link #fromDiffusers} reads it back to an equal config.
     */
    public java.util.Map<String, Object> toDiffusers() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        java.util.List<String> down = java.util.Collections.nCopies(blockOutChannels.length, "DownEncoderBlock2D");
        java.util.List<String> up = java.util.Collections.nCopies(blockOutChannels.length, "UpDecoderBlock2D");
        m.put("_class_name", "AutoencoderKL");
        m.put("_diffusers_version", ConfigJson.DIFFUSERS_VERSION);
        m.put("act_fn", "silu");
        m.put("block_out_channels", Arrays.stream(blockOutChannels).boxed().toList());
        m.put("down_block_types", down);
        m.put("force_upcast", true);
        m.put("in_channels", outChannels);
        m.put("latent_channels", latentChannels);
        m.put("latents_mean", null);
        m.put("latents_std", null);
        m.put("layers_per_block", layersPerBlock);
        m.put("mid_block_add_attention", midBlockAttention);
        m.put("norm_num_groups", normGroups);
        m.put("out_channels", outChannels);
        m.put("sample_size", 1024);
        m.put("scaling_factor", scalingFactor);
        m.put("shift_factor", shiftFactor);
        m.put("up_block_types", up);
        m.put("use_post_quant_conv", false);
        m.put("use_quant_conv", false);
        return m;
    }

    public static VaeConfig fromDiffusers(ConfigJson c) {
        // diffusers' default is true; the FLUX autoencoder sets it false, and this decoder runs none.
        if (c.boolValue("use_post_quant_conv", true)) {
            throw new IllegalArgumentException(c.source() + ": use_post_quant_conv is true (or missing); the FLUX"
                    + " autoencoder has no post-quant convolution and this decoder does not run one");
        }
        for (String t : c.has("up_block_types") ? c.stringList("up_block_types") : java.util.List.<String>of()) {
            if (!t.equals("UpDecoderBlock2D")) {
                throw new IllegalArgumentException(c.source() + ": up block type " + t + " is not supported");
            }
        }
        return new VaeConfig(c.intValue("latent_channels", 16), c.intValue("out_channels", 3),
                c.intList("block_out_channels", new int[] {64}), c.intValue("layers_per_block", 1),
                c.intValue("norm_num_groups", 32), c.doubleValue("scaling_factor", 0.18215),
                c.has("shift_factor") ? c.doubleValue("shift_factor", 0) : 0.0, c.boolValue("mid_block_add_attention", true));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VaeConfig v && v.latentChannels == latentChannels && v.outChannels == outChannels
                && Arrays.equals(v.blockOutChannels, blockOutChannels) && v.layersPerBlock == layersPerBlock
                && v.normGroups == normGroups && v.scalingFactor == scalingFactor && v.shiftFactor == shiftFactor
                && v.midBlockAttention == midBlockAttention;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(blockOutChannels) * 31 + latentChannels;
    }

    @Override
    public String toString() {
        return "VaeConfig[latent=" + latentChannels + ", out=" + outChannels + ", blocks="
                + Arrays.toString(blockOutChannels) + ", layers=" + layersPerBlock + ", groups=" + normGroups
                + ", scaling=" + scalingFactor + ", shift=" + shiftFactor + ", midAttention=" + midBlockAttention + "]";
    }
}
