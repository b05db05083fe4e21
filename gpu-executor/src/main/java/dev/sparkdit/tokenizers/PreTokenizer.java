package dev.sparkdit.tokenizers;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits normalized text into the words the model tokenizes one by one, as a Hugging Face
 * {@code pre_tokenizer} entry. Implementations never emit an empty word: the reference drops them.
 */
@FunctionalInterface
interface PreTokenizer {

    void split(String text, List<String> words);

    /** {@code {"type": "Sequence"}}: each step splits every word of the previous one. */
    static PreTokenizer sequence(List<PreTokenizer> steps) {
        PreTokenizer[] s = steps.toArray(new PreTokenizer[0]);
        if (s.length == 1) {
            return s[0];
        }
        return (text, words) -> {
            List<String> current = new ArrayList<>();
            current.add(text);
            for (PreTokenizer step : s) {
                List<String> next = new ArrayList<>(current.size() * 2);
                for (String w : current) {
                    step.split(w, next);
                }
                current = next;
            }
            words.addAll(current);
        };
    }

    /**
     * {@code {"type": "WhitespaceSplit"}}: cuts at, and drops, every character with the Unicode
     * White_Space property (Rust's {@code char::is_whitespace}; Java's own {@code isWhitespace} leaves
     * out no-break spaces, so it is not used).
     */
    static PreTokenizer whitespaceSplit() {
        return (text, words) -> {
            int start = -1;
            for (int i = 0; i < text.length(); i++) {
                if (UnicodeWhitespace.is(text.charAt(i))) {
                    if (start >= 0) {
                        words.add(text.substring(start, i));
                        start = -1;
                    }
                } else if (start < 0) {
                    start = i;
                }
            }
            if (start >= 0) {
                words.add(text.substring(start));
            }
        };
    }
}
