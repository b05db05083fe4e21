package dev.sparkdit.tokenizers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SentencePiece's compiled normalization rules ({@code precompiled_charsmap}, e.g. {@code nmt_nfkc}),
 * applied as Hugging Face's {@code Precompiled} normalizer applies them.
 *
 * <p>Layout of the blob (all little-endian):
 * <pre>
 *   [0, 4)          u32 T: byte size of the trie
 *   [4, 4+T)        T/4 u32 units of a Darts-clone double-array trie over UTF-8 bytes
 *   [4+T, end)      replacements: UTF-8 strings, each ended by a 0 byte; a trie value is an offset here
 * </pre>
 * A unit packs: bit 8 has-leaf, bits 0-7 (and bit 31) the label, bits 10-31 the offset to the
 * children, shifted left by 8 more when bit 9 is set; a leaf unit's low 31 bits are its value.
 *
 * <p>How text is rewritten (the reference's rule, kept exactly even where it looks odd): the text is cut
 * into extended grapheme clusters; a cluster of fewer than 6 UTF-8 bytes whose bytes begin with a key of
 * the trie is replaced, whole, by the replacement of the shortest such key; otherwise each code point of
 * the cluster is looked up the same way on its own and replaced, or kept when no key matches.
 */
final class PrecompiledCharsMap implements Normalizer {
    private static final Pattern GRAPHEME = Pattern.compile("\\X");

    private final int[] units;
    private final byte[] replacements;
    private final String source;

    private PrecompiledCharsMap(int[] units, byte[] replacements, String source) {
        this.units = units;
        this.replacements = replacements;
        this.source = source;
    }

    /** Parses the blob; {@code file} and {@code where} name it in errors. */
    static PrecompiledCharsMap parse(byte[] blob, Path file, String where) throws TokenizerFileException {
        if (blob.length < 4) {
            throw new TokenizerFileException(file, where + " is " + blob.length
                    + " bytes, shorter than its 4-byte trie size prefix");
        }
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        long trieBytes = Integer.toUnsignedLong(b.getInt(0));
        if (trieBytes % 4 != 0 || trieBytes == 0 || trieBytes > blob.length - 4L) {
            throw new TokenizerFileException(file, where + " declares a trie of " + trieBytes
                    + " bytes; expected a positive multiple of 4 within the blob's " + (blob.length - 4)
                    + " bytes after the prefix");
        }
        int[] units = new int[(int) (trieBytes / 4)];
        for (int i = 0; i < units.length; i++) {
            units[i] = b.getInt(4 + 4 * i);
        }
        byte[] replacements = new byte[blob.length - 4 - (int) trieBytes];
        System.arraycopy(blob, 4 + (int) trieBytes, replacements, 0, replacements.length);
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(replacements));
        } catch (CharacterCodingException e) {
            throw new TokenizerFileException(file, where + ": its replacement strings are not valid UTF-8", e);
        }
        return new PrecompiledCharsMap(units, replacements, file + " " + where);
    }

    @Override
    public String normalize(String text) {
        if (text.isEmpty()) {
            return text;
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(text.length() + 8);
        Matcher m = GRAPHEME.matcher(text);
        int bytePos = 0;
        while (m.find()) {
            int start = m.start();
            int end = m.end();
            int clusterBytes = utf8Length(text, start, end);
            if (clusterBytes < 6) {
                int value = firstMatch(utf8, bytePos, bytePos + clusterBytes);
                if (value >= 0) {
                    appendReplacement(out, value);
                    bytePos += clusterBytes;
                    continue;
                }
            }
            for (int i = start; i < end; ) {
                int cp = text.codePointAt(i);
                int n = Character.charCount(cp);
                int cpBytes = utf8Length(cp);
                int value = firstMatch(utf8, bytePos, bytePos + cpBytes);
                if (value >= 0) {
                    appendReplacement(out, value);
                } else {
                    out.append(text, i, i + n);
                }
                bytePos += cpBytes;
                i += n;
            }
        }
        return out.toString();
    }

    /**
     * The value of the shortest trie key that {@code key[from, to)} starts with, or -1. A 0 byte ends
     * the key, as in the C string the original searches.
     */
    int firstMatch(byte[] key, int from, int to) {
        int pos = 0;
        long unit = unit(pos);
        pos ^= offset(unit);
        for (int i = from; i < to; i++) {
            int c = key[i] & 0xFF;
            if (c == 0) {
                return -1;
            }
            pos ^= c;
            unit = unit(pos);
            if (label(unit) != c) {
                return -1;
            }
            pos ^= offset(unit);
            if (((unit >>> 8) & 1) == 1) {
                return (int) (unit(pos) & 0x7FFFFFFFL);
            }
        }
        return -1;
    }

    private long unit(int pos) {
        if (pos < 0 || pos >= units.length) {
            throw new IllegalStateException(source + ": corrupt trie: unit index " + pos + " outside [0, "
                    + units.length + ")");
        }
        return Integer.toUnsignedLong(units[pos]);
    }

    private static int offset(long unit) {
        return (int) ((unit >>> 10) << ((unit & (1L << 9)) >>> 6));
    }

    private static long label(long unit) {
        return unit & ((1L << 31) | 0xFF);
    }

    private void appendReplacement(StringBuilder out, int value) {
        if (value >= replacements.length) {
            // The reference's slice is empty then; an empty replacement deletes the text.
            return;
        }
        int end = value;
        while (end < replacements.length && replacements[end] != 0) {
            end++;
        }
        out.append(new String(replacements, value, end - value, StandardCharsets.UTF_8));
    }

    private static int utf8Length(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; ) {
            int cp = s.codePointAt(i);
            n += utf8Length(cp);
            i += Character.charCount(cp);
        }
        return n;
    }

    private static int utf8Length(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }
}
