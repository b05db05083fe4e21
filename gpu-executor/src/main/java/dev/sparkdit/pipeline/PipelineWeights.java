package dev.sparkdit.pipeline;

import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.models.flux.FluxTransformer;
import dev.sparkdit.models.vae.VaeDecoder;
import dev.sparkdit.tensor.DType;

import java.io.IOException;

/**
 * A pipeline's weights loaded into one backend, independent of any group: what a Spark executor keeps across tasks
 * and stage attempts (loading FLUX.1-dev takes tens of seconds), and binds to each task's rank with
 * {@link FluxPipeline#bind}. The text encoders and the VAE are loaded only where {@code withText} / {@code withVae}
 * (a group's lead needs them; an executor that may lead any group loads them all).
 */
public final class PipelineWeights {
    private final ComputeBackend backend;
    private final PipelineConfig config;
    private final DType dtype;
    private final int maxSequenceLength;
    private final FluxTransformer transformer;
    private final TextEncoders text;
    private final VaeDecoder vae;

    private PipelineWeights(ComputeBackend backend, PipelineConfig config, DType dtype, int maxSequenceLength,
                            FluxTransformer transformer, TextEncoders text, VaeDecoder vae) {
        this.backend = backend;
        this.config = config;
        this.dtype = dtype;
        this.maxSequenceLength = maxSequenceLength;
        this.transformer = transformer;
        this.text = text;
        this.vae = vae;
    }

    /**
     * Loads {@code source}'s parts into {@code backend} as {@code dtype}; {@code fp8Gemm} adds the e4m3 copies of the
     * transformer blocks' weights; T5's position bias is made for {@code maxSequenceLength} tokens.
     */
    public static PipelineWeights load(ComputeBackend backend, PipelineSource source, DType dtype, boolean fp8Gemm,
                                       int maxSequenceLength, boolean withText, boolean withVae) throws IOException {
        PipelineConfig cfg = source.config();
        FluxTransformer transformer = source.transformer(backend.ops(), backend.reserve("transformer weights",
                FluxTransformer.weightBytes(cfg.transformer(), dtype)), dtype);
        if (fp8Gemm) {
            transformer.useFp8Gemms(backend.ops(), backend.reserve("fp8 weights", transformer.fp8WeightBytes()), true);
        }
        TextEncoders text = withText && cfg.hasTextEncoders()
                ? TextEncoders.load(backend, source, dtype, maxSequenceLength) : null;
        VaeDecoder vae = withVae ? source.vae(backend.ops(), backend.reserve("vae weights",
                VaeDecoder.weightBytes(cfg.vae(), dtype)), dtype) : null;
        return new PipelineWeights(backend, cfg, dtype, maxSequenceLength, transformer, text, vae);
    }

    public ComputeBackend backend() {
        return backend;
    }

    public PipelineConfig config() {
        return config;
    }

    public DType dtype() {
        return dtype;
    }

    public int maxSequenceLength() {
        return maxSequenceLength;
    }

    FluxTransformer transformer() {
        return transformer;
    }

    TextEncoders text() {
        return text;
    }

    VaeDecoder vae() {
        return vae;
    }

    /** Whether a rank holding these weights can lead a group (encode prompts and decode images). */
    public boolean canLead() {
        return vae != null && (text != null || !config.hasTextEncoders());
    }
}
