package dev.sparkdit.tokenizers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads protobuf wire format field by field: enough for SentencePiece's model file, which uses varints,
 * 32-bit floats and length-delimited strings and messages. Each problem names the file and the byte
 * offset.
 */
final class ProtobufReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final byte[] bytes;
    private final Path file;
    private final String message;
    private int pos;
    private final int end;
    private int field;
    private int wireType;

    ProtobufReader(byte[] bytes, int from, int to, Path file, String message) {
        this.bytes = bytes;
        this.pos = from;
        this.end = to;
        this.file = file;
        this.message = message;
    }

    /** Moves to the next field; false at the end of the message. */
    boolean next() throws TokenizerFileException {
        if (pos >= end) {
            return false;
        }
        int at = pos;
        long key = varint();
        field = (int) (key >>> 3);
        wireType = (int) (key & 7);
        if (field <= 0) {
            throw problem(at, "field number " + field + " (must be positive)");
        }
        return true;
    }

    int field() {
        return field;
    }

    int wireType() {
        return wireType;
    }

    long varint() throws TokenizerFileException {
        int at = pos;
        long r = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw problem(at, "varint runs past the end of the " + message);
            }
            int b = bytes[pos++] & 0xFF;
            r |= (long) (b & 0x7F) << shift;
            if (b < 0x80) {
                return r;
            }
        }
        throw problem(at, "varint longer than 10 bytes");
    }

    /** An int32 field: negative values travel as 10-byte varints and are cut back to 32 bits. */
    int int32() throws TokenizerFileException {
        expect(VARINT, "an integer");
        return (int) varint();
    }

    boolean bool() throws TokenizerFileException {
        expect(VARINT, "a bool");
        return varint() != 0;
    }

    float float32() throws TokenizerFileException {
        expect(FIXED32, "a float");
        if (end - pos < 4) {
            throw problem(pos, "float runs past the end of the " + message);
        }
        float f = ByteBuffer.wrap(bytes, pos, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
        pos += 4;
        return f;
    }

    byte[] bytesField() throws TokenizerFileException {
        int[] range = lengthDelimited("bytes");
        byte[] r = new byte[range[1] - range[0]];
        System.arraycopy(bytes, range[0], r, 0, r.length);
        return r;
    }

    String string() throws TokenizerFileException {
        int[] range = lengthDelimited("a string");
        return new String(bytes, range[0], range[1] - range[0], StandardCharsets.UTF_8);
    }

    /** A reader over the embedded message in this field. */
    ProtobufReader message(String name) throws TokenizerFileException {
        int[] range = lengthDelimited("a message");
        return new ProtobufReader(bytes, range[0], range[1], file, name);
    }

    void skip() throws TokenizerFileException {
        switch (wireType) {
            case VARINT:
                varint();
                break;
            case FIXED64:
                advance(8);
                break;
            case LENGTH_DELIMITED:
                lengthDelimited("a length-delimited value");
                break;
            case FIXED32:
                advance(4);
                break;
            default:
                throw problem(pos, "field " + field + " has wire type " + wireType
                        + ", which protobuf no longer uses (groups) or never defined");
        }
    }

    private void advance(int n) throws TokenizerFileException {
        if (end - pos < n) {
            throw problem(pos, "field " + field + " runs past the end of the " + message);
        }
        pos += n;
    }

    private int[] lengthDelimited(String what) throws TokenizerFileException {
        expect(LENGTH_DELIMITED, what);
        int at = pos;
        long n = varint();
        if (n < 0 || n > end - pos) {
            throw problem(at, "field " + field + " declares " + n + " bytes, but only " + (end - pos)
                    + " remain in the " + message);
        }
        int from = pos;
        pos += (int) n;
        return new int[] {from, pos};
    }

    private void expect(int type, String what) throws TokenizerFileException {
        if (wireType != type) {
            throw problem(pos, "field " + field + " of the " + message + " should be " + what + " (wire type "
                    + type + "), found wire type " + wireType);
        }
    }

    private TokenizerFileException problem(int at, String what) {
        return new TokenizerFileException(file, "byte " + at + ": " + what
                + " (truncated, or not a SentencePiece model?)");
    }
}
