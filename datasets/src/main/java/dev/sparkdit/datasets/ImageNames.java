package dev.sparkdit.datasets;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The image file name for a prompt id: {@code <readable prefix>-<SHA-256 of the id, 64 hex>.png}.
 *
 * <p>Prompt ids come from users' tables and may hold anything ({@code ../x}, {@code a/b}, NUL, emoji,
 * 10,000 characters), so the id is never used as a path. The prefix keeps only ASCII letters, digits,
 * {@code -} and {@code _} (every other run of characters becomes one {@code _}), never starts or ends
 * with {@code -} or {@code _} (no hidden-looking or option-looking names), is at most
 * {@value #MAX_PREFIX} characters, and is {@code id} when nothing is left. It is only for people
 * reading a directory listing: the digest of the exact UTF-8 id is what makes names distinct, so ids
 * that differ only in case, in a replaced character or after the cut still get different names, and
 * the lower-case hex keeps them distinct on case-insensitive file systems too (a string with an unpaired
 * surrogate, which has no UTF-8 form, is digested from its UTF-16 code units: {@link #digestInput}). Names are at
 * most {@value #MAX_LENGTH} characters.
 */
public final class ImageNames {

    public static final String EXTENSION = ".png";
    static final int MAX_PREFIX = 48;
    private static final int DIGEST_HEX = 64;
    public static final int MAX_LENGTH = MAX_PREFIX + 1 + DIGEST_HEX + 4;

    private ImageNames() {
    }

    public static String fileName(String promptId) {
        if (promptId == null) {
            throw new IllegalArgumentException("prompt_id must not be null");
        }
        byte[] digest = PromptSeeds.sha256().digest(digestInput(promptId));
        return readablePrefix(promptId) + "-" + HexFormat.of().formatHex(digest) + EXTENSION;
    }

    /**
     * The bytes the digest is of: the id's UTF-8 bytes, or, for a string that is not well-formed UTF-16 (an
     * unpaired surrogate, which UTF-8 cannot encode: Java would write {@code ?} for it, and {@code "\uD800"} would
     * get the name of {@code "?"}), the byte {@code 0xFF} (never part of UTF-8, so no valid id's input starts with
     * it) followed by the UTF-16BE code units. Ids read from Parquet or text files are always well-formed.
     */
    static byte[] digestInput(String promptId) {
        if (isWellFormed(promptId)) {
            return promptId.getBytes(StandardCharsets.UTF_8);
        }
        // By hand: Java's UTF-16 encoder, too, replaces an unpaired surrogate (with U+FFFD).
        byte[] out = new byte[1 + 2 * promptId.length()];
        out[0] = (byte) 0xFF;
        for (int i = 0; i < promptId.length(); i++) {
            char c = promptId.charAt(i);
            out[1 + 2 * i] = (byte) (c >>> 8);
            out[2 + 2 * i] = (byte) c;
        }
        return out;
    }

    private static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    static String readablePrefix(String promptId) {
        StringBuilder sb = new StringBuilder();
        boolean replacing = false;
        for (int i = 0; i < promptId.length() && sb.length() < MAX_PREFIX; ) {
            int cp = promptId.codePointAt(i);
            i += Character.charCount(cp);
            if (isKept(cp)) {
                sb.append((char) cp);
                replacing = false;
            } else if (!replacing) {
                sb.append('_');
                replacing = true;
            }
        }
        int start = 0;
        int end = sb.length();
        while (start < end && isEdge(sb.charAt(start))) {
            start++;
        }
        while (end > start && isEdge(sb.charAt(end - 1))) {
            end--;
        }
        return start == end ? "id" : sb.substring(start, end);
    }

    private static boolean isKept(int cp) {
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == '-'
                || cp == '_';
    }

    private static boolean isEdge(char c) {
        return c == '-' || c == '_';
    }
}
