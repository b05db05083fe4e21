package dev.sparkdit.tokenizers;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SentencePiece's unigram segmentation of one word, as the Hugging Face {@code Unigram} model does it
 * (T5's): the split into vocabulary pieces with the highest total score (Viterbi over UTF-8 byte
 * positions).
 *
 * <p>Where no piece covers a single character, that character gets an unknown-token candidate scored
 * {@code min score - 10}. Ties keep the first candidate found: pieces are tried from each start position
 * in turn, shortest first, and a later one wins only with a strictly higher score. Neighbouring unknown
 * characters are joined into one token; a joined string that is itself a piece takes that piece's id,
 * otherwise the unknown id (or, with byte fallback, its {@code <0xNN>} byte pieces when all exist).
 */
final class UnigramModel implements TokenModel {
    private static final double UNK_PENALTY = 10.0;

    private final String[] pieces;
    private final double[] scores;
    private final Map<String, Integer> ids;
    private final ByteTrie trie;
    private final int unkId;
    private final boolean byteFallback;
    private final double unkScore;

    /**
     * @param unkId id of the unknown piece, or -1 when the model declares none (then a character no
     *              piece covers is an error, as in the reference)
     */
    UnigramModel(List<String> pieces, double[] scores, int unkId, boolean byteFallback) {
        if (pieces.size() != scores.length || pieces.isEmpty()) {
            throw new IllegalArgumentException(pieces.size() + " pieces and " + scores.length
                    + " scores; expected the same positive number");
        }
        if (unkId >= pieces.size()) {
            throw new IllegalArgumentException("unk_id " + unkId + " is not below the vocabulary size "
                    + pieces.size());
        }
        this.pieces = pieces.toArray(new String[0]);
        this.scores = scores.clone();
        Map<String, Integer> m = new HashMap<>(pieces.size() * 2);
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < this.pieces.length; i++) {
            m.put(this.pieces[i], i);
            min = Math.min(min, scores[i]);
        }
        this.ids = m;
        this.trie = ByteTrie.of(pieces);
        this.unkId = unkId;
        this.byteFallback = byteFallback;
        this.unkScore = min - UNK_PENALTY;
    }

    @Override
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    @Override
    public int size() {
        return pieces.length;
    }

    @Override
    public void tokenize(String word, Ids out) {
        byte[] s = word.getBytes(StandardCharsets.UTF_8);
        int size = s.length;
        if (size == 0) {
            return;
        }
        double[] bestScore = new double[size + 1];
        int[] bestStart = new int[size + 1];
        int[] bestId = new int[size + 1];
        java.util.Arrays.fill(bestStart, -1);
        int[] ends = new int[size];
        int[] found = new int[size];
        for (int start = 0; start < size; ) {
            double here = bestScore[start];
            int charLength = utf8CharLength(s[start]);
            int n = trie.prefixes(s, start, size, ends, found);
            boolean singleChar = false;
            for (int k = 0; k < n; k++) {
                int end = ends[k];
                double candidate = scores[found[k]] + here;
                if (bestStart[end] < 0 || candidate > bestScore[end]) {
                    bestScore[end] = candidate;
                    bestStart[end] = start;
                    bestId[end] = found[k];
                }
                if (end - start == charLength) {
                    singleChar = true;
                }
            }
            if (!singleChar) {
                if (unkId < 0) {
                    throw new IllegalArgumentException("'" + new String(s, start, charLength, StandardCharsets.UTF_8)
                            + "' in '" + word + "' is covered by no piece and the model declares no unk_id");
                }
                int end = start + charLength;
                double candidate = unkScore + here;
                if (bestStart[end] < 0 || candidate > bestScore[end]) {
                    bestScore[end] = candidate;
                    bestStart[end] = start;
                    bestId[end] = unkId;
                }
            }
            start += charLength;
        }
        // Walk back from the end, then emit in order.
        int count = 0;
        int[] path = new int[size];
        for (int end = size; end > 0; end = bestStart[end]) {
            path[count++] = end;
        }
        int unkFrom = -1;
        for (int k = count - 1; k >= 0; k--) {
            int end = path[k];
            int start = bestStart[end];
            if (bestId[end] == unkId) {
                if (unkFrom < 0) {
                    unkFrom = start;
                }
                continue;
            }
            if (unkFrom >= 0) {
                emitUnknown(s, unkFrom, start, out);
                unkFrom = -1;
            }
            out.add(bestId[end]);
        }
        if (unkFrom >= 0) {
            emitUnknown(s, unkFrom, size, out);
        }
    }

    private void emitUnknown(byte[] s, int from, int to, Ids out) {
        String text = new String(s, from, to - from, StandardCharsets.UTF_8);
        Integer id = ids.get(text);
        if (id != null) {
            out.add(id);
            return;
        }
        if (byteFallback) {
            int[] bytes = new int[to - from];
            boolean all = true;
            for (int i = from; i < to && all; i++) {
                Integer b = ids.get(String.format("<0x%02X>", s[i] & 0xFF));
                if (b == null) {
                    all = false;
                } else {
                    bytes[i - from] = b;
                }
            }
            if (all) {
                for (int b : bytes) {
                    out.add(b);
                }
                return;
            }
        }
        out.add(unkId);
    }

    private static int utf8CharLength(byte lead) {
        int b = lead & 0xFF;
        return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    }
}
