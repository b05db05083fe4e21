package dev.sparkdit.pipeline;

import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.models.clip.ClipTextEncoder;
import dev.sparkdit.models.t5.T5Encoder;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.HostBuffers;
import dev.sparkdit.tensor.Tensor;
import dev.sparkdit.tokenizers.Encoding;
import dev.sparkdit.tokenizers.TextTokenizer;

import java.io.IOException;

/**
 * The text side of the pipeline, held by a group's lead rank only: both tokenizers, CLIP and T5, and T5's position
 * bias for the padded length. Encodes a prompt as FluxPipeline's {@code encode_prompt} does: CLIP ids padded to 77 for
 * the pooled vector, T5 ids padded to {@code max_sequence_length} for the text states, both truncated.
 */
final class TextEncoders {
    private final TextTokenizer clipTokenizer;
    private final TextTokenizer t5Tokenizer;
    private final ClipTextEncoder clip;
    private final T5Encoder t5;
    private final Tensor t5Bias;
    private final int t5Tokens;

    private TextEncoders(TextTokenizer clipTokenizer, TextTokenizer t5Tokenizer, ClipTextEncoder clip, T5Encoder t5,
                         Tensor t5Bias, int t5Tokens) {
        this.clipTokenizer = clipTokenizer;
        this.t5Tokenizer = t5Tokenizer;
        this.clip = clip;
        this.t5 = t5;
        this.t5Bias = t5Bias;
        this.t5Tokens = t5Tokens;
    }

    static TextEncoders load(ComputeBackend backend, PipelineSource source, DType dt, int t5Tokens) throws IOException {
        PipelineConfig cfg = source.config();
        Ops ops = backend.ops();
        TextTokenizer clipTok = source.clipTokenizer();
        TextTokenizer t5Tok = source.t5Tokenizer();
        requireVocabulary("CLIP", clipTok, cfg.clip().vocabSize());
        requireVocabulary("T5", t5Tok, cfg.t5().vocabSize());
        ClipTextEncoder clip = source.clip(ops, backend.reserve("clip weights", ClipTextEncoder.weightBytes(cfg.clip(),
                dt)), dt);
        T5Encoder t5 = source.t5(ops, backend.reserve("t5 weights", T5Encoder.weightBytes(cfg.t5(), dt)), dt);
        Tensor bias = t5.positionBias(ops, backend.reserve("t5 position bias",
                T5Encoder.positionBiasBytes(cfg.t5(), t5Tokens)), t5Tokens);
        return new TextEncoders(clipTok, t5Tok, clip, t5, bias, t5Tokens);
    }

    /** A tokenizer whose ids would fall outside the encoder's embedding table is refused before anything runs. */
    private static void requireVocabulary(String what, TextTokenizer tokenizer, int vocab) {
        if (tokenizer.vocabSize() > vocab) {
            throw new IllegalArgumentException(what + " tokenizer " + tokenizer.source() + " has " + tokenizer.vocabSize()
                    + " ids, more than the text encoder's " + vocab + " embedding rows");
        }
    }

    /** Bytes of the work arena {@link #encode} uses: ids and CLIP's last hidden state. */
    static long workBytes(PipelineConfig cfg, int t5Tokens) {
        return Arena.alignUp(4L * PipelineLimits.CLIP_TOKENS) + Arena.alignUp(4L * t5Tokens)
                + Arena.alignUp(4L * PipelineLimits.CLIP_TOKENS * cfg.clip().hiddenSize());
    }

    /** Scratch the encoders take. */
    static long scratchBytes(PipelineConfig cfg, int t5Tokens, DType dt) {
        return Math.max(ClipTextEncoder.scratchBytes(cfg.clip(), PipelineLimits.CLIP_TOKENS, dt),
                T5Encoder.scratchBytes(cfg.t5(), t5Tokens, dt));
    }

    /** Tokens both tokenizers dropped: how much of the prompts the model did not see. */
    record Tokenized(Encoding clip, Encoding t5) {
    }

    Tokenized tokenize(RenderRequest r) {
        return new Tokenized(clipTokenizer.encode(r.prompt(), PipelineLimits.CLIP_TOKENS),
                t5Tokenizer.encode(r.t5Prompt(), t5Tokens));
    }

    /**
     * Runs both encoders: {@code promptEmbeds [t5Tokens, dModel]} from T5, {@code pooled [clipHidden]} from CLIP, with
     * temporaries from {@code work} (reset by the caller).
     */
    void encode(Ops ops, Arena work, Tokenized ids, Tensor promptEmbeds, Tensor pooled) {
        int[] clipIds = ids.clip().ids();
        Tensor clipIdTensor = work.allocate(DType.I32, clipIds.length);
        ops.copyFromHost(clipIdTensor, HostBuffers.ints(clipIds), DType.I32);
        Tensor clipOut = work.allocate(pooled.dtype(), clipIds.length, pooled.dim(0));
        clip.forward(ops, clipOut, pooled, clipIdTensor, clip.poolingIndex(clipIds));
        int[] t5Ids = ids.t5().ids();
        Tensor t5IdTensor = work.allocate(DType.I32, t5Ids.length);
        ops.copyFromHost(t5IdTensor, HostBuffers.ints(t5Ids), DType.I32);
        t5.forward(ops, promptEmbeds, t5IdTensor, t5Bias);
    }
}
