package dev.sparkdit.json;

/**
 * Malformed JSON text, or a parsed value of the wrong type. Parse errors carry the character offset
 * into the text where the problem was found and say what was expected there; type errors from the
 * {@link Json} helpers name the value being read and have offset -1.
 */
public final class JsonException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int offset;

    /** A parse error at {@code offset} (a char index into the parsed string). */
    public JsonException(int offset, String message) {
        super(offset >= 0 ? "JSON error at offset " + offset + ": " + message : message);
        this.offset = offset;
    }

    /** An error not tied to a position in a text (a wrong type, a value that cannot be written). */
    public JsonException(String message) {
        this(-1, message);
    }

    /** Char index into the parsed text, or -1 when the error is not tied to a position. */
    public int offset() {
        return offset;
    }
}
