package dev.sparkdit.tokenizers;

/** A prompt-to-ids tokenizer as FluxPipeline calls it: special tokens added, truncated, padded. */
public interface TextTokenizer {

    /**
     * The prompt's ids padded (right) to {@code maxLength}, cut to it when longer (the closing special
     * token is kept), with the number of dropped tokens. FluxPipeline's call: {@code padding="max_length",
     * max_length=maxLength, truncation=True}.
     *
     * @throws IllegalArgumentException when {@code maxLength} cannot even hold the special tokens
     */
    Encoding encode(String prompt, int maxLength);

    /** The ids with special tokens, neither truncated nor padded. */
    int[] tokenize(String prompt);

    /** The id padding uses (CLIP: {@code <|endoftext|>}, T5: {@code <pad>} = 0). */
    int padId();

    /**
     * The {@code model_max_length} of the folder's tokenizer_config.json, or the model family's own
     * length when the folder has none (CLIP: 77, T5: 512). FluxPipeline pads CLIP prompts to it.
     */
    int modelMaxLength();

    /** Vocabulary size including added tokens: one past the largest id this tokenizer can produce. */
    int vocabSize();

    /** What the tokenizer was loaded from, for messages. */
    String source();
}
