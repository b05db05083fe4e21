package dev.sparkdit.pipeline;

import dev.sparkdit.models.clip.ClipTextEncoder;
import dev.sparkdit.models.flux.FluxTransformer;
import dev.sparkdit.models.t5.T5Encoder;
import dev.sparkdit.models.vae.VaeDecoder;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tokenizers.TextTokenizer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where a pipeline's parts come from: a diffusers model folder ({@link ModelFolder}), or seeded random weights of a
 * preset made on the device ({@link RandomModel}: {@code random:dev}, {@code random:schnell}, {@code random:tiny}).
 * Each part loads into an arena of {@code weightBytes} its model class reports.
 */
public interface PipelineSource {
    PipelineConfig config();

    FluxTransformer transformer(Ops ops, Arena weights, DType dtype) throws IOException;

    ClipTextEncoder clip(Ops ops, Arena weights, DType dtype) throws IOException;

    T5Encoder t5(Ops ops, Arena weights, DType dtype) throws IOException;

    VaeDecoder vae(Ops ops, Arena weights, DType dtype) throws IOException;

    TextTokenizer clipTokenizer() throws IOException;

    TextTokenizer t5Tokenizer() throws IOException;

    /** {@code random:PRESET}, or a model folder (checked whole: every problem in one error). */
    static PipelineSource of(String spec) throws IOException {
        if (spec.startsWith(RandomModel.PREFIX)) {
            return RandomModel.of(spec.substring(RandomModel.PREFIX.length()));
        }
        return ModelFolder.open(Path.of(spec));
    }
}
