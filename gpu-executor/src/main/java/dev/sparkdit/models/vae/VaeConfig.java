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
