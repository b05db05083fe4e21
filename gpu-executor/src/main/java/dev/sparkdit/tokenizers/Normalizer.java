package dev.sparkdit.tokenizers;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A text-to-text step run before splitting into words, as a Hugging Face {@code normalizer} entry:
 * the few kinds the FLUX.1 tokenizers declare. {@link PrecompiledCharsMap} is the SentencePiece one.
 */
@FunctionalInterface
interface Normalizer {

    String normalize(String text);

    Normalizer IDENTITY = text -> text;

    /** Unicode NFC, as {@code {"type": "NFC"}}. */
    static Normalizer nfc() {
        return text -> java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFC);
    }

    /**
     * {@code {"type": "Lowercase"}}: each code point lower-cased on its own, with the full (possibly
     * multi-character) mapping and no context, as Rust's {@code char::to_lowercase} does; so a final
     * capital sigma becomes σ, not the ς that {@code String.toLowerCase} would choose.
     */
    static Normalizer lowercase() {
        return text -> {
            StringBuilder sb = null;
            for (int i = 0; i < text.length(); ) {
                int cp = text.codePointAt(i);
                int n = Character.charCount(cp);
                String lower = cp < 0x80
                        ? (cp >= 'A' && cp <= 'Z' ? String.valueOf((char) (cp + 32)) : null)
                        : lowerOne(text.substring(i, i + n));
                if (lower != null && sb == null) {
                    sb = new StringBuilder(text.length()).append(text, 0, i);
                }
                if (sb != null) {
                    if (lower != null) {
                        sb.append(lower);
                    } else {
                        sb.append(text, i, i + n);
                    }
                }
                i += n;
            }
            return sb == null ? text : sb.toString();
        };
    }

    private static String lowerOne(String codePoint) {
        String lower = codePoint.toLowerCase(Locale.ROOT);
        return lower.equals(codePoint) ? null : lower;
    }

    /** {@code {"type": "Replace"}}: every non-overlapping match of {@code pattern} becomes {@code content}. */
    static Normalizer replace(Pattern pattern, String content) {
        String literal = Matcher.quoteReplacement(content);
        return text -> pattern.matcher(text).replaceAll(literal);
    }

    /** {@code {"type": "Sequence"}}: each step on the previous one's output. */
    static Normalizer sequence(List<Normalizer> steps) {
        Normalizer[] s = steps.toArray(new Normalizer[0]);
        if (s.length == 1) {
            return s[0];
        }
        return text -> {
            String t = text;
            for (Normalizer n : s) {
                t = n.normalize(t);
            }
            return t;
        };
    }
}
