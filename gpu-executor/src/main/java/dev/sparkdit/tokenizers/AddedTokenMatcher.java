package dev.sparkdit.tokenizers;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Cuts text at occurrences of a set of added tokens: leftmost match first, and of the tokens starting
 * there the longest, as the reference's Aho-Corasick automaton (LeftmostLongest) does.
 */
final class AddedTokenMatcher {
    /** Per first char, the tokens starting with it, longest first. */
    private final Map<Character, String[]> byFirstChar;
    private final Map<String, Integer> ids;

    /** {@code patterns}: the text to find for each token (its content, or its normalized content). */
    AddedTokenMatcher(Map<String, Integer> patterns) {
        this.ids = Map.copyOf(patterns);
        Map<Character, List<String>> grouped = new HashMap<>();
        for (String p : patterns.keySet()) {
            grouped.computeIfAbsent(p.charAt(0), k -> new ArrayList<>()).add(p);
        }
        Map<Character, String[]> m = new HashMap<>();
        for (Map.Entry<Character, List<String>> e : grouped.entrySet()) {
            List<String> l = e.getValue();
            l.sort(Comparator.comparingInt(String::length).reversed());
            m.put(e.getKey(), l.toArray(new String[0]));
        }
        this.byFirstChar = m;
    }

    boolean isEmpty() {
        return ids.isEmpty();
    }

    /**
     * Calls {@code text} for each non-empty stretch between matches and {@code token} for each match,
     * in order.
     */
    void split(String s, Consumer<String> text, IntConsumer token) {
        if (ids.isEmpty()) {
            if (!s.isEmpty()) {
                text.accept(s);
            }
            return;
        }
        int from = 0;
        for (int i = 0; i < s.length(); i++) {
            String[] candidates = byFirstChar.get(s.charAt(i));
            if (candidates == null) {
                continue;
            }
            for (String c : candidates) {
                if (s.startsWith(c, i)) {
                    if (i > from) {
                        text.accept(s.substring(from, i));
                    }
                    token.accept(ids.get(c));
                    from = i + c.length();
                    i = from - 1;
                    break;
                }
            }
        }
        if (from < s.length()) {
            text.accept(s.substring(from));
        }
    }
}
