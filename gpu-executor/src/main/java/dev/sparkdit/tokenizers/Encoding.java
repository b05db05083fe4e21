package dev.sparkdit.tokenizers;

/**
 * One prompt's token ids as FluxPipeline feeds them to a text encoder: special tokens added, cut to
 * {@code ids.length} (= the requested max length) and padded to it.
 *
 * <p>Truncation keeps the leading content tokens and the closing special token (CLIP's
 * {@code <|endoftext|>}, T5's {@code </s>}), exactly as the reference does; the tokens that did not fit
 * are counted in {@link #truncatedTokens} so the caller can tell the user their prompt was cut.
 *
 * @param ids               [maxLength] token ids, padding included
 * @param length            real tokens in {@code ids} (special tokens included); the rest is padding
 * @param untruncatedLength tokens the prompt needs with its special tokens, before any cut
 * @param truncatedTokens   content tokens dropped to fit: {@code untruncatedLength - length}
 */
public record Encoding(int[] ids, int length, int untruncatedLength, int truncatedTokens) {

    public Encoding {
        if (length < 0 || length > ids.length) {
            throw new IllegalArgumentException("length " + length + " outside [0, " + ids.length + "]");
        }
        if (untruncatedLength - length != truncatedTokens || truncatedTokens < 0) {
            throw new IllegalArgumentException("untruncatedLength " + untruncatedLength + " - length " + length
                    + " must equal truncatedTokens " + truncatedTokens + " (>= 0)");
        }
        ids = ids.clone();
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    /** The ids widened to int64, the dtype the text encoders' {@code input_ids} use. */
    public long[] idsAsLongs() {
        long[] r = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            r[i] = ids[i];
        }
        return r;
    }

    public boolean truncated() {
        return truncatedTokens > 0;
    }
}
