package dev.sparkdit.models.flux;

import dev.sparkdit.models.ModelParam;
import dev.sparkdit.models.ParamPart;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The two ways FLUX.1 checkpoints name their tensors, mapped onto the parameters {@link FluxTransformer}
 * holds. The model keeps diffusers' names, with q/k/v fused into one projection
 * ({@code attn.to_qkv}, {@code attn.add_qkv_proj}) so that each is one GEMM.
 *
 * <ul>
 *   <li>{@link #DIFFUSERS}: {@code transformer_blocks.0.attn.to_q.weight}, ... (the HF repo's
 *       {@code transformer/} folder): q, k and v are stacked into the fused parameter.</li>
 *   <li>{@link #BLACK_FOREST_LABS}: {@code double_blocks.0.img_attn.qkv.weight}, ... (the single file
 *       {@code flux1-dev.safetensors}): fused tensors are used whole or cut by rows; the final layer's
 *       modulation stores (shift, scale) where diffusers stores (scale, shift), so its halves swap.</li>
 * </ul>
 */
public enum FluxCheckpointLayout {
    DIFFUSERS("diffusers"),
    BLACK_FOREST_LABS("black-forest-labs");

    private final String label;

    FluxCheckpointLayout(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Tells the layout from the key names; throws naming a few keys when neither fits. */
    public static FluxCheckpointLayout detect(Set<String> keys) {
        boolean bfl = false;
        boolean diff = false;
        for (String k : keys) {
            bfl |= k.startsWith("double_blocks.") || k.startsWith("single_blocks.") || k.startsWith("img_in.");
            diff |= k.startsWith("transformer_blocks.") || k.startsWith("single_transformer_blocks.")
                    || k.startsWith("x_embedder.");
        }
        if (bfl && !diff) {
            return BLACK_FOREST_LABS;
        }
        if (diff && !bfl) {
            return DIFFUSERS;
        }
        List<String> sample = keys.stream().sorted().limit(5).toList();
        throw new IllegalArgumentException((bfl ? "checkpoint mixes diffusers and Black Forest Labs names"
                : "checkpoint is neither a diffusers nor a Black Forest Labs FLUX transformer") + "; first keys: "
                + sample);
    }

    /** Every parameter of the model for this config, with where each comes from in this layout. */
    public List<ModelParam> params(FluxConfig c) {
        Builder b = new Builder();
        long d = c.dim();
        long m = c.mlpHidden();
        long hd = c.attentionHeadDim();
        long t = FluxConfig.TIMESTEP_CHANNELS;
        boolean bfl = this == BLACK_FOREST_LABS;
        b.linear("x_embedder", bfl ? "img_in" : "x_embedder", d, c.inChannels());
        b.linear("context_embedder", bfl ? "txt_in" : "context_embedder", d, c.jointAttentionDim());
        String tte = "time_text_embed.";
        b.linear(tte + "timestep_embedder.linear_1", bfl ? "time_in.in_layer" : tte + "timestep_embedder.linear_1", d, t);
        b.linear(tte + "timestep_embedder.linear_2", bfl ? "time_in.out_layer" : tte + "timestep_embedder.linear_2", d, d);
        if (c.guidanceEmbeds()) {
            b.linear(tte + "guidance_embedder.linear_1", bfl ? "guidance_in.in_layer" : tte + "guidance_embedder.linear_1", d, t);
            b.linear(tte + "guidance_embedder.linear_2", bfl ? "guidance_in.out_layer" : tte + "guidance_embedder.linear_2", d, d);
        }
        b.linear(tte + "text_embedder.linear_1", bfl ? "vector_in.in_layer" : tte + "text_embedder.linear_1",
                d, c.pooledProjectionDim());
        b.linear(tte + "text_embedder.linear_2", bfl ? "vector_in.out_layer" : tte + "text_embedder.linear_2", d, d);

        for (int i = 0; i < c.numLayers(); i++) {
            String p = "transformer_blocks." + i + ".";
            String s = "double_blocks." + i + ".";
            b.linear(p + "norm1.linear", bfl ? s + "img_mod.lin" : p + "norm1.linear", 6 * d, d);
            b.linear(p + "norm1_context.linear", bfl ? s + "txt_mod.lin" : p + "norm1_context.linear", 6 * d, d);
            if (bfl) {
                b.linear(p + "attn.to_qkv", s + "img_attn.qkv", 3 * d, d);
                b.linear(p + "attn.add_qkv_proj", s + "txt_attn.qkv", 3 * d, d);
            } else {
                b.fusedLinear(p + "attn.to_qkv", d, d, p + "attn.to_q", p + "attn.to_k", p + "attn.to_v");
                b.fusedLinear(p + "attn.add_qkv_proj", d, d, p + "attn.add_q_proj", p + "attn.add_k_proj",
                        p + "attn.add_v_proj");
            }
            b.vector(p + "attn.norm_q.weight", bfl ? s + "img_attn.norm.query_norm.scale" : p + "attn.norm_q.weight", hd);
            b.vector(p + "attn.norm_k.weight", bfl ? s + "img_attn.norm.key_norm.scale" : p + "attn.norm_k.weight", hd);
            b.vector(p + "attn.norm_added_q.weight", bfl ? s + "txt_attn.norm.query_norm.scale"
                    : p + "attn.norm_added_q.weight", hd);
            b.vector(p + "attn.norm_added_k.weight", bfl ? s + "txt_attn.norm.key_norm.scale"
                    : p + "attn.norm_added_k.weight", hd);
            b.linear(p + "attn.to_out.0", bfl ? s + "img_attn.proj" : p + "attn.to_out.0", d, d);
            b.linear(p + "attn.to_add_out", bfl ? s + "txt_attn.proj" : p + "attn.to_add_out", d, d);
            b.linear(p + "ff.net.0.proj", bfl ? s + "img_mlp.0" : p + "ff.net.0.proj", m, d);
            b.linear(p + "ff.net.2", bfl ? s + "img_mlp.2" : p + "ff.net.2", d, m);
            b.linear(p + "ff_context.net.0.proj", bfl ? s + "txt_mlp.0" : p + "ff_context.net.0.proj", m, d);
            b.linear(p + "ff_context.net.2", bfl ? s + "txt_mlp.2" : p + "ff_context.net.2", d, m);
        }
        for (int i = 0; i < c.numSingleLayers(); i++) {
            String p = "single_transformer_blocks." + i + ".";
            String s = "single_blocks." + i + ".";
            b.linear(p + "norm.linear", bfl ? s + "modulation.lin" : p + "norm.linear", 3 * d, d);
            if (bfl) {
                // linear1 stacks q, k, v and the MLP input projection: [3D + M, D].
                b.rows(p + "attn.to_qkv.weight", new long[] {3 * d, d},
                        new ParamPart(s + "linear1.weight", new long[] {3 * d + m, d}, 0, 3 * d));
                b.rows(p + "attn.to_qkv.bias", new long[] {3 * d},
                        new ParamPart(s + "linear1.bias", new long[] {3 * d + m}, 0, 3 * d));
                b.rows(p + "proj_mlp.weight", new long[] {m, d},
                        new ParamPart(s + "linear1.weight", new long[] {3 * d + m, d}, 3 * d, m));
                b.rows(p + "proj_mlp.bias", new long[] {m},
                        new ParamPart(s + "linear1.bias", new long[] {3 * d + m}, 3 * d, m));
            } else {
                b.fusedLinear(p + "attn.to_qkv", d, d, p + "attn.to_q", p + "attn.to_k", p + "attn.to_v");
                b.linear(p + "proj_mlp", p + "proj_mlp", m, d);
            }
            b.vector(p + "attn.norm_q.weight", bfl ? s + "norm.query_norm.scale" : p + "attn.norm_q.weight", hd);
            b.vector(p + "attn.norm_k.weight", bfl ? s + "norm.key_norm.scale" : p + "attn.norm_k.weight", hd);
            b.linear(p + "proj_out", bfl ? s + "linear2" : p + "proj_out", d, d + m);
        }
        if (bfl) {
            String k = "final_layer.adaLN_modulation.1.";
            b.rows("norm_out.linear.weight", new long[] {2 * d, d},
                    new ParamPart(k + "weight", new long[] {2 * d, d}, d, d),
                    new ParamPart(k + "weight", new long[] {2 * d, d}, 0, d));
            b.rows("norm_out.linear.bias", new long[] {2 * d},
                    new ParamPart(k + "bias", new long[] {2 * d}, d, d),
                    new ParamPart(k + "bias", new long[] {2 * d}, 0, d));
            b.linear("proj_out", "final_layer.linear", c.outChannels(), d);
        } else {
            b.linear("norm_out.linear", "norm_out.linear", 2 * d, d);
            b.linear("proj_out", "proj_out", c.outChannels(), d);
        }
        return b.params;
    }

    private static final class Builder {
        final List<ModelParam> params = new ArrayList<>();

        void linear(String name, String key, long out, long in) {
            params.add(new ModelParam(name + ".weight", new long[] {out, in},
                    List.of(ParamPart.whole(key + ".weight", out, in))));
            params.add(new ModelParam(name + ".bias", new long[] {out}, List.of(ParamPart.whole(key + ".bias", out))));
        }

        void fusedLinear(String name, long out, long in, String... keys) {
            List<ParamPart> w = new ArrayList<>();
            List<ParamPart> bias = new ArrayList<>();
            for (String k : keys) {
                w.add(ParamPart.whole(k + ".weight", out, in));
                bias.add(ParamPart.whole(k + ".bias", out));
            }
            params.add(new ModelParam(name + ".weight", new long[] {out * keys.length, in}, w));
            params.add(new ModelParam(name + ".bias", new long[] {out * keys.length}, bias));
        }

        void vector(String name, String key, long n) {
            params.add(new ModelParam(name, new long[] {n}, List.of(ParamPart.whole(key, n))));
        }

        void rows(String name, long[] shape, ParamPart... parts) {
            params.add(new ModelParam(name, shape, List.of(parts)));
        }
    }
}
