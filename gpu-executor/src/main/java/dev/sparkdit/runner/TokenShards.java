package dev.sparkdit.runner;

import dev.sparkdit.usp.SequenceSplit;

/**
 * How one image's text and image tokens are cut among the ranks sharing its sequence: each rank holds a
 * contiguous slice of the text tokens and one of the image tokens (sizes differ by at most one), text first.
 * Attention without a mask does not depend on the order of keys, so no rank needs its tokens reordered.
 */
public record TokenShards(SequenceSplit text, SequenceSplit image) {
    public TokenShards {
        if (text.parts() != image.parts()) {
            throw new IllegalArgumentException("text in " + text.parts() + " parts, image in " + image.parts());
        }
    }

    public static TokenShards of(int textTokens, int imageTokens, int ranks) {
        return new TokenShards(SequenceSplit.of(textTokens, ranks), SequenceSplit.of(imageTokens, ranks));
    }

    public int ranks() {
        return text.parts();
    }

    /** Tokens per rank, in sequence-index order: what the attention strategies are built for. */
    public int[] lengths() {
        return SequenceSplit.localLengths(text, image);
    }

    /** The most tokens any rank holds (text and image slices each at their longest): scratch is sized for it. */
    public long paddedTokens() {
        return (long) text.paddedLength() + image.paddedLength();
    }

    public int textTokens() {
        return text.length();
    }

    public int imageTokens() {
        return image.length();
    }
}
