package dev.sparkdit.pipeline;

import dev.sparkdit.models.clip.ClipTextConfig;
import dev.sparkdit.models.flux.FluxConfig;
import dev.sparkdit.models.t5.T5Config;
import dev.sparkdit.models.vae.VaeConfig;

/**
 * The shapes of every part of a FLUX.1 pipeline, read before anything is loaded (to size memory).
 *
 * @param name a short name for result rows and image metadata (the folder's name, or {@code random:dev})
 * @param clip CLIP's shape; null for a pipeline without text encoders (prompts then come as embeddings)
 * @param t5   T5's shape; null likewise
 */
public record PipelineConfig(String name, FluxConfig transformer, ClipTextConfig clip, T5Config t5, VaeConfig vae,
                             FlowMatchSchedulerConfig scheduler) {

    /** FLUX.1-dev and schnell differ in guidance embedding: schnell takes no guidance. */
    public boolean usesGuidance() {
        return transformer.guidanceEmbeds();
    }

    public boolean hasTextEncoders() {
        return clip != null;
    }

    /** The latent of a {@code width x height} image for this VAE. */
    public FluxLatentShape latent(int width, int height) {
        return new FluxLatentShape(height, width, vae.latentChannels(), vae.upscale());
    }

    /** Whether the parts fit together (text widths, latent packing); throws naming the mismatch. */
    public PipelineConfig requireConsistent() {
        if ((clip == null) != (t5 == null)) {
            throw new IllegalArgumentException(name + ": CLIP and T5 come together or not at all");
        }
        if (t5 != null && transformer.jointAttentionDim() != t5.dModel()) {
            throw new IllegalArgumentException(name + ": the transformer's joint_attention_dim "
                    + transformer.jointAttentionDim() + " is not T5's d_model " + t5.dModel());
        }
        if (clip != null && transformer.pooledProjectionDim() != clip.hiddenSize()) {
            throw new IllegalArgumentException(name + ": the transformer's pooled_projection_dim "
                    + transformer.pooledProjectionDim() + " is not CLIP's hidden_size " + clip.hiddenSize());
        }
        if (transformer.inChannels() != 4 * vae.latentChannels()) {
            throw new IllegalArgumentException(name + ": the transformer's in_channels " + transformer.inChannels()
                    + " is not 4 x the VAE's latent_channels " + vae.latentChannels() + " (2x2 packing)");
        }
        return this;
    }
}
