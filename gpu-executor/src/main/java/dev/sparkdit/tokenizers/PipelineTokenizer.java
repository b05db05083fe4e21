package dev.sparkdit.tokenizers;

/**
 * A model family's tokenizer: how it is read from a folder is the family's own (its subclass); what it does once
 * read is one {@link TokenizerPipeline} for every family.
 */
abstract class PipelineTokenizer implements TextTokenizer {
    private final TokenizerPipeline pipeline;

    PipelineTokenizer(TokenizerPipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public Encoding encode(String prompt, int maxLength) {
        return pipeline.encode(prompt, maxLength);
    }

    @Override
    public int[] tokenize(String prompt) {
        return pipeline.tokenize(prompt);
    }

    @Override
    public int padId() {
        return pipeline.padId();
    }

    @Override
    public int modelMaxLength() {
        return pipeline.modelMaxLength();
    }

    @Override
    public int vocabSize() {
        return pipeline.vocabSize();
    }

    @Override
    public String source() {
        return pipeline.source();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + source() + "]";
    }
}
