package dev.sparkdit.tokenizers;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Byte-pair encoding of one word, as the Hugging Face {@code BPE} model does it (CLIP's).
 *
 * <p>The word starts as its characters, the last one with the end-of-word suffix ({@code </w>}) glued
 * on; a character missing from the vocabulary becomes the unknown token. Then, while any two neighbours
 * form a listed merge, the pair whose merge comes first in the merges list (leftmost on a tie) is
 * joined. The reference does this with a heap of (rank, position); taking the minimum each round gives
 * the same result, since a position's pair only changes by being merged.
 */
final class BytePairModel implements TokenModel {
    private final Map<String, Integer> vocab;
    private final int size;
    /** (left id << 32 | right id) -> (rank << 32 | merged id). */
    private final Map<Long, Long> merges;
    private final String endOfWordSuffix;
    private final String continuingSubwordPrefix;
    private final int unkId;
    private final boolean fuseUnk;
    private final boolean ignoreMerges;

    /**
     * @param merges  pairs in rank order; a pair listed twice keeps its later rank, as in the reference
     * @param unkId   id for characters missing from the vocabulary, or -1 to drop them
     * @throws IllegalArgumentException naming the merge whose parts or result are not in the vocabulary
     */
    BytePairModel(Map<String, Integer> vocab, List<String[]> merges, String continuingSubwordPrefix,
                  String endOfWordSuffix, int unkId, boolean fuseUnk, boolean ignoreMerges) {
        this.vocab = Map.copyOf(vocab);
        int max = -1;
        for (int id : vocab.values()) {
            max = Math.max(max, id);
        }
        this.size = max + 1;
        this.continuingSubwordPrefix = continuingSubwordPrefix == null ? "" : continuingSubwordPrefix;
        this.endOfWordSuffix = endOfWordSuffix == null ? "" : endOfWordSuffix;
        this.unkId = unkId;
        this.fuseUnk = fuseUnk;
        this.ignoreMerges = ignoreMerges;
        Map<Long, Long> m = new HashMap<>(merges.size() * 2);
        int prefixLength = this.continuingSubwordPrefix.length();
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] pair = merges.get(rank);
            Integer a = vocab.get(pair[0]);
            Integer b = vocab.get(pair[1]);
            if (a == null || b == null) {
                throw new IllegalArgumentException("merge " + (rank + 1) + " '" + pair[0] + " " + pair[1]
                        + "': '" + (a == null ? pair[0] : pair[1]) + "' is not in the vocabulary");
            }
            String right = prefixLength > 0 && pair[1].startsWith(this.continuingSubwordPrefix)
                    ? pair[1].substring(prefixLength) : pair[1];
            Integer merged = vocab.get(pair[0] + right);
            if (merged == null) {
                throw new IllegalArgumentException("merge " + (rank + 1) + " '" + pair[0] + " " + pair[1]
                        + "': the merged token '" + pair[0] + right + "' is not in the vocabulary");
            }
            m.put(key(a, b), ((long) rank << 32) | merged);
        }
        this.merges = m;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    @Override
    public int id(String token) {
        Integer id = vocab.get(token);
        return id == null ? -1 : id;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void tokenize(String word, Ids out) {
        if (ignoreMerges) {
            Integer whole = vocab.get(word);
            if (whole != null) {
                out.add(whole);
                return;
            }
        }
        int[] symbols = initialSymbols(word);
        int n = symbols.length;
        while (n > 1) {
            int bestPos = -1;
            long best = Long.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                Long merge = merges.get(key(symbols[i], symbols[i + 1]));
                if (merge != null && merge < best) {
                    // rank sits in the high half, so comparing whole values compares ranks first
                    best = merge;
                    bestPos = i;
                }
            }
            if (bestPos < 0) {
                break;
            }
            symbols[bestPos] = (int) best;
            System.arraycopy(symbols, bestPos + 2, symbols, bestPos + 1, n - bestPos - 2);
            n--;
        }
        for (int i = 0; i < n; i++) {
            out.add(symbols[i]);
        }
    }

    private int[] initialSymbols(String word) {
        int[] symbols = new int[word.length()];
        int n = 0;
        boolean pendingUnk = false;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            int next = i + Character.charCount(cp);
            String s = word.substring(i, next);
            if (i > 0) {
                s = continuingSubwordPrefix + s;
            }
            if (next == word.length()) {
                s = s + endOfWordSuffix;
            }
            Integer id = vocab.get(s);
            if (id != null) {
                if (pendingUnk) {
                    symbols[n++] = unkId;
                    pendingUnk = false;
                }
                symbols[n++] = id;
            } else {
                if (unkId < 0) {
                    // Without an unknown token the reference drops the character.
                    i = next;
                    continue;
                }
                if (pendingUnk && !fuseUnk) {
                    symbols[n++] = unkId;
                }
                pendingUnk = true;
            }
            i = next;
        }
        if (pendingUnk) {
            symbols[n++] = unkId;
        }
        return java.util.Arrays.copyOf(symbols, n);
    }
}
