package dev.sparkdit.tokenizers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The vocabulary of a Unigram model as a trie over UTF-8 bytes, walked from one position of a word to
 * list every piece that starts there, shortest first.
 *
 * <p>Children of a node are kept as a sorted label array and a parallel child array, packed end to end:
 * node {@code n}'s children are {@code labels/children[first[n] .. first[n] + count[n])}.
 */
final class ByteTrie {
    private final int[] first;
    private final int[] count;
    private final byte[] labels;
    private final int[] children;
    /** Id stored at each node, or -1 for a node that ends no piece. */
    private final int[] value;

    private ByteTrie(int[] first, int[] count, byte[] labels, int[] children, int[] value) {
        this.first = first;
        this.count = count;
        this.labels = labels;
        this.children = children;
        this.value = value;
    }

    /** A trie of {@code pieces}; a piece listed twice keeps the later id, as the reference's map does. */
    static ByteTrie of(List<String> pieces) {
        // Build with per-node growable child lists, then pack.
        List<int[]> kids = new ArrayList<>(); // per node: pairs (label, child) flattened
        List<Integer> kidCount = new ArrayList<>();
        List<Integer> values = new ArrayList<>();
        kids.add(new int[4]);
        kidCount.add(0);
        values.add(-1);
        for (int id = 0; id < pieces.size(); id++) {
            byte[] b = pieces.get(id).getBytes(StandardCharsets.UTF_8);
            int node = 0;
            for (byte label : b) {
                int[] k = kids.get(node);
                int c = kidCount.get(node);
                int child = -1;
                for (int i = 0; i < c; i++) {
                    if (k[2 * i] == (label & 0xFF)) {
                        child = k[2 * i + 1];
                        break;
                    }
                }
                if (child < 0) {
                    child = kids.size();
                    kids.add(new int[4]);
                    kidCount.add(0);
                    values.add(-1);
                    if (2 * c + 2 > k.length) {
                        k = Arrays.copyOf(k, k.length * 2);
                        kids.set(node, k);
                    }
                    k[2 * c] = label & 0xFF;
                    k[2 * c + 1] = child;
                    kidCount.set(node, c + 1);
                }
                node = child;
            }
            values.set(node, id);
        }
        int nodes = kids.size();
        int[] first = new int[nodes];
        int[] count = new int[nodes];
        int[] value = new int[nodes];
        int total = 0;
        for (int n = 0; n < nodes; n++) {
            total += kidCount.get(n);
        }
        byte[] labels = new byte[total];
        int[] children = new int[total];
        int at = 0;
        for (int n = 0; n < nodes; n++) {
            int c = kidCount.get(n);
            int[] k = kids.get(n);
            Integer[] order = new Integer[c];
            for (int i = 0; i < c; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (x, y) -> Integer.compare(k[2 * x], k[2 * y]));
            first[n] = at;
            count[n] = c;
            for (int i = 0; i < c; i++) {
                labels[at] = (byte) k[2 * order[i]];
                children[at] = k[2 * order[i] + 1];
                at++;
            }
            value[n] = values.get(n);
        }
        return new ByteTrie(first, count, labels, children, value);
    }

    /**
     * Writes into {@code ends} / {@code ids} the end position and id of every piece that
     * {@code bytes[from, to)} starts with, shortest first; returns how many.
     */
    int prefixes(byte[] bytes, int from, int to, int[] ends, int[] ids) {
        int node = 0;
        int found = 0;
        for (int i = from; i < to; i++) {
            node = child(node, bytes[i]);
            if (node < 0) {
                break;
            }
            if (value[node] >= 0) {
                ends[found] = i + 1;
                ids[found] = value[node];
                found++;
            }
        }
        return found;
    }

    private int child(int node, byte label) {
        int lo = first[node];
        int hi = lo + count[node] - 1;
        int l = label & 0xFF;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int m = labels[mid] & 0xFF;
            if (m < l) {
                lo = mid + 1;
            } else if (m > l) {
                hi = mid - 1;
            } else {
                return children[mid];
            }
        }
        return -1;
    }
}
