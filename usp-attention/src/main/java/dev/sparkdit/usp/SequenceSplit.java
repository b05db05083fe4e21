package dev.sparkdit.usp;

import java.util.Arrays;

/**
 * How a sequence of {@code length} tokens is cut into {@code parts} contiguous slices: part {@code i}
 * holds {@code [start(i), start(i) + length(i))}; the first {@code length % parts} parts hold one token
 * more than the others, so sizes differ by at most one. A part may be empty when {@code length < parts}.
 *
 * <p>{@link #paddedLength()} is the largest part, the fixed row count every part is padded to in
 * fixed-size exchange buffers (all-to-all chunks, ring blocks).
 */
public record SequenceSplit(int length, int parts, int[] starts, int[] lengths) {

    public SequenceSplit {
        starts = starts.clone();
        lengths = lengths.clone();
    }

    public static SequenceSplit of(int length, int parts) {
        if (length < 0) {
            throw new IllegalArgumentException("sequence length must be >= 0, got " + length);
        }
        if (parts < 1) {
            throw new IllegalArgumentException("sequence must be split into >= 1 parts, got " + parts);
        }
        int[] starts = new int[parts];
        int[] lengths = new int[parts];
        int base = length / parts;
        int extra = length % parts;
        int at = 0;
        for (int i = 0; i < parts; i++) {
            starts[i] = at;
            lengths[i] = base + (i < extra ? 1 : 0);
            at += lengths[i];
        }
        return new SequenceSplit(length, parts, starts, lengths);
    }

    public int start(int part) {
        return starts[part];
    }

    public int length(int part) {
        return lengths[part];
    }

    /** The largest part: {@code ceil(length / parts)}. */
    public int paddedLength() {
        return (length + parts - 1) / parts;
    }

    @Override
    public int[] starts() {
        return starts.clone();
    }

    @Override
    public int[] lengths() {
        return lengths.clone();
    }

    /**
     * Tokens each part holds when several sequences are split alike and concatenated per part (text
     * tokens then image tokens): {@code result[i] = sum over splits of split.length(i)}.
     */
    public static int[] localLengths(SequenceSplit... splits) {
        if (splits.length == 0) {
            throw new IllegalArgumentException("localLengths needs at least one split");
        }
        int parts = splits[0].parts;
        int[] out = new int[parts];
        for (SequenceSplit s : splits) {
            if (s.parts != parts) {
                throw new IllegalArgumentException("splits into " + parts + " and " + s.parts
                        + " parts cannot be combined");
            }
            for (int i = 0; i < parts; i++) {
                out[i] += s.lengths[i];
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequenceSplit s && s.length == length && s.parts == parts;
    }

    @Override
    public int hashCode() {
        return length * 31 + parts;
    }

    @Override
    public String toString() {
        return "SequenceSplit[" + length + " tokens into " + parts + " parts " + Arrays.toString(lengths) + "]";
    }
}
