package dev.sparkdit.tokenizers;

import java.util.List;

/**
 * {@code {"type": "Metaspace"}}: spaces become the replacement character (SentencePiece's {@code ▁}), one
 * is put in front of the word when it does not start with one ({@code prepend_scheme: always}), and the
 * word is cut before every replacement character, each piece keeping the {@code ▁} it starts with.
 */
final class Metaspace implements PreTokenizer {
    private final char replacement;
    private final boolean prepend;
    private final boolean split;

    Metaspace(char replacement, boolean prepend, boolean split) {
        this.replacement = replacement;
        this.prepend = prepend;
        this.split = split;
    }

    @Override
    public void split(String text, List<String> words) {
        String t = text.replace(' ', replacement);
        if (prepend && (t.isEmpty() || t.charAt(0) != replacement)) {
            t = replacement + t;
        }
        if (t.isEmpty()) {
            return;
        }
        if (!split) {
            words.add(t);
            return;
        }
        int from = 0;
        for (int i = 1; i < t.length(); i++) {
            if (t.charAt(i) == replacement) {
                words.add(t.substring(from, i));
                from = i;
            }
        }
        words.add(t.substring(from));
    }
}
