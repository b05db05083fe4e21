package dev.sparkdit.models.vae;

import dev.sparkdit.models.ModelParam;

import java.util.ArrayList;
import java.util.List;

/**
 * The keys and shapes of the autoencoder's encoder (diffusers {@code Encoder}, {@code double_z}), which text-to-image
 * never runs and {@link VaeDecoder} never loads. A written model folder holds them so that diffusers'
 * {@code AutoencoderKL} loads it whole:
 * <pre>
 *   encoder.conv_in                         [w0, in, 3, 3]           in = the image channels (out_channels)
 *   encoder.down_blocks.i.resnets.j         layers_per_block ResNets, w(i-1) -> wi
 *   encoder.down_blocks.i.downsamplers.0    [wi, wi, 3, 3] stride 2, all blocks but the last
 *   encoder.mid_block                       ResNet, attention (if mid_block_add_attention), ResNet at w_last
 *   encoder.conv_norm_out, conv_out         GroupNorm; [2 x latent_channels, w_last, 3, 3] (mean and log-variance)
 * </pre>
 */
public final class VaeEncoderParams {
    private VaeEncoderParams() {
    }

    /** Every encoder parameter in the module's order, under its checkpoint name. */
    public static List<ModelParam> params(VaeConfig c) {
        List<ModelParam> ps = new ArrayList<>();
        int[] widths = c.blockOutChannels();
        VaeDecoder.conv(ps, "encoder.conv_in", c.outChannels(), widths[0], 3);
        int in = widths[0];
        for (int i = 0; i < widths.length; i++) {
            int out = widths[i];
            for (int j = 0; j < c.layersPerBlock(); j++) {
                VaeDecoder.resnet(ps, "encoder.down_blocks." + i + ".resnets." + j, j == 0 ? in : out, out);
            }
            if (i < widths.length - 1) {
                VaeDecoder.conv(ps, "encoder.down_blocks." + i + ".downsamplers.0.conv", out, out, 3);
            }
            in = out;
        }
        int top = widths[widths.length - 1];
        VaeDecoder.resnet(ps, "encoder.mid_block.resnets.0", top, top);
        if (c.midBlockAttention()) {
            String a = "encoder.mid_block.attentions.0.";
            VaeDecoder.norm(ps, a + "group_norm", top);
            for (String proj : new String[] {"to_q", "to_k", "to_v", "to_out.0"}) {
                VaeDecoder.linear(ps, a + proj, top, top);
            }
        }
        VaeDecoder.resnet(ps, "encoder.mid_block.resnets.1", top, top);
        VaeDecoder.norm(ps, "encoder.conv_norm_out", top);
        VaeDecoder.conv(ps, "encoder.conv_out", top, 2 * c.latentChannels(), 3);
        return ps;
    }
}
