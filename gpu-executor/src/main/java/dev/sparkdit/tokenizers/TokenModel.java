package dev.sparkdit.tokenizers;

/** Turns one pre-tokenized word into ids: the tokenizer.json {@code model} (BPE or Unigram). */
interface TokenModel {

    void tokenize(String word, Ids out);

    /** Id of {@code token} in the model's vocabulary, or -1. */
    int id(String token);

    /** Number of ids in the model's vocabulary (added tokens not counted). */
    int size();
}
