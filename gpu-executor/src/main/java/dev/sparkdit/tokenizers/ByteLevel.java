package dev.sparkdit.tokenizers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code {"type": "ByteLevel"}} as a pre-tokenizer: optionally GPT-2's word regex, then every UTF-8 byte
 * of each word replaced by one printable character, so that a byte-level BPE vocabulary (CLIP's) can
 * spell any text.
 *
 * <p>The byte-to-character table is GPT-2's: the printable bytes {@code !..~}, {@code ¡..¬} and
 * {@code ®..ÿ} stand for themselves; the other 68 bytes, in increasing order, become U+0100, U+0101, ...
 */
final class ByteLevel implements PreTokenizer {
    /** GPT-2's regex; {@code \s} is Unicode White_Space, as in the reference's Oniguruma. */
    static final Pattern GPT2_WORDS = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private static final char[] BYTE_TO_CHAR = byteToChar();

    private final boolean addPrefixSpace;
    private final RegexSplit words;

    ByteLevel(boolean addPrefixSpace, boolean useRegex) {
        this.addPrefixSpace = addPrefixSpace;
        this.words = useRegex ? new RegexSplit(GPT2_WORDS, RegexSplit.Behavior.ISOLATED, false) : null;
    }

    @Override
    public void split(String text, List<String> out) {
        String t = addPrefixSpace && !text.startsWith(" ") ? " " + text : text;
        if (words == null) {
            out.add(mapBytes(t));
            return;
        }
        List<String> pieces = new ArrayList<>();
        words.split(t, pieces);
        for (String p : pieces) {
            out.add(mapBytes(p));
        }
    }

    static String mapBytes(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        char[] c = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            c[i] = BYTE_TO_CHAR[utf8[i] & 0xFF];
        }
        return new String(c);
    }

    private static char[] byteToChar() {
        char[] table = new char[256];
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            printable[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            printable[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            printable[b] = true;
        }
        int next = 0;
        for (int b = 0; b < 256; b++) {
            table[b] = printable[b] ? (char) b : (char) (256 + next++);
        }
        return table;
    }
}
