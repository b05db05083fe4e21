package dev.sparkdit.images;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * PNG chunk framing and the two text chunk kinds (PNG specification, sections 5.3 and 11.3.3).
 *
 * <pre>
 * chunk:  length (4 bytes, big-endian, data only) | type (4 ASCII) | data | CRC-32 of type + data
 * tEXt:   keyword | 0 | text in ISO 8859-1
 * iTXt:   keyword | 0 | compression flag 0 | method 0 | language tag "" | 0 | translated keyword "" | 0 | UTF-8 text
 * </pre>
 */
final class PngChunks {
    private PngChunks() {
    }

    static void write(ByteArrayOutputStream out, String type, byte[] data, int offset, int length) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        writeInt(out, length);
        out.write(typeBytes, 0, 4);
        out.write(data, offset, length);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data, offset, length);
        writeInt(out, (int) crc.getValue());
    }

    static void write(ByteArrayOutputStream out, String type, byte[] data) {
        write(out, type, data, 0, data.length);
    }

    static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    /**
     * True when {@code text} may go in a tEXt chunk: only linefeed, printable ASCII and the printable
     * Latin-1 range (the specification asks to leave out other control codes). Everything else, any
     * character beyond Latin-1 included, needs iTXt.
     */
    static boolean fitsTextChunk(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean allowed = c == '\n' || (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xFF);
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /** A tEXt chunk when the text is Latin-1 printable, otherwise an uncompressed iTXt chunk in UTF-8. */
    static void writeText(ByteArrayOutputStream out, String keyword, String text) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(keyword.getBytes(StandardCharsets.ISO_8859_1));
        data.write(0);
        if (fitsTextChunk(text)) {
            data.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
            write(out, "tEXt", data.toByteArray());
        } else {
            data.write(0); // compression flag: uncompressed
            data.write(0); // compression method
            data.write(0); // empty language tag, terminated
            data.write(0); // empty translated keyword, terminated
            data.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            write(out, "iTXt", data.toByteArray());
        }
    }
}
