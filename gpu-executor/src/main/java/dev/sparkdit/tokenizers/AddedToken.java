package dev.sparkdit.tokenizers;

/**
 * A token matched in the text before the model sees it ({@code <|endoftext|>}, {@code </s>},
 * {@code <extra_id_0>}, ...), as an entry of tokenizer.json's {@code added_tokens}.
 *
 * @param content    the exact text that stands for the token
 * @param id         its id
 * @param special    a special token (the reference never splits it, whatever the model would do)
 * @param normalized matched against the normalized text rather than the raw prompt
 */
record AddedToken(String content, int id, boolean special, boolean normalized) {
    AddedToken {
        if (content.isEmpty()) {
            throw new IllegalArgumentException("an added token's content must not be empty (id " + id + ")");
        }
    }
}
