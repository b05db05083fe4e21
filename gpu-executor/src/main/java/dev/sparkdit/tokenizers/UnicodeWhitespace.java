package dev.sparkdit.tokenizers;

/** The Unicode White_Space property: what Rust's {@code char::is_whitespace} and Oniguruma's {@code \s} match. */
final class UnicodeWhitespace {
    private UnicodeWhitespace() {
    }

    /** All White_Space characters are in the BMP, so a UTF-16 unit is enough. */
    static boolean is(char c) {
        if (c <= 0x20) {
            return c == ' ' || (c >= 0x09 && c <= 0x0D);
        }
        if (c < 0x85) {
            return false;
        }
        return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028
                || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
    }
}
