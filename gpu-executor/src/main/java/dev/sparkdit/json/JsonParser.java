package dev.sparkdit.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A strict RFC 8259 recursive-descent parser over one string. Strict means: no comments, no trailing
 * commas, no leading zeros, no raw control characters in strings, no lone surrogate escapes, no
 * duplicate keys, nothing after the top-level value, and at most {@link Json#MAX_DEPTH} levels of
 * nesting (so hostile input cannot overflow the stack). One instance parses one text.
 */
final class JsonParser {
    private final String s;
    private final int n;
    private int pos;
    private int depth;

    JsonParser(String text) {
        this.s = Objects.requireNonNull(text, "JSON text must not be null");
        this.n = text.length();
    }

    Object parseDocument() {
        skipWhitespace();
        Object value = parseValue();
        skipWhitespace();
        if (pos < n) {
            throw expected("end of input after the top-level value");
        }
        return value;
    }

    private Object parseValue() {
        int c = peek();
        switch (c) {
            case '{':
                return parseObject();
            case '[':
                return parseArray();
            case '"':
                return parseString();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return null;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return parseNumber();
                }
                throw expected("a value (object, array, string, number, true, false or null)");
        }
    }

    private Map<String, Object> parseObject() {
        enter();
        pos++; // '{'
        Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            depth--;
            return map;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw expected("'\"' starting an object key");
            }
            int keyAt = pos;
            String key = parseString();
            if (map.containsKey(key)) {
                throw new JsonException(keyAt, "duplicate key \"" + abbreviate(key) + "\" in object");
            }
            skipWhitespace();
            if (peek() != ':') {
                throw expected("':' after object key");
            }
            pos++;
            skipWhitespace();
            map.put(key, parseValue());
            skipWhitespace();
            int c = peek();
            if (c == ',') {
                pos++;
            } else if (c == '}') {
                pos++;
                depth--;
                return map;
            } else {
                throw expected("',' or '}' in object");
            }
        }
    }

    private List<Object> parseArray() {
        enter();
        pos++; // '['
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            depth--;
            return list;
        }
        while (true) {
            skipWhitespace();
            list.add(parseValue());
            skipWhitespace();
            int c = peek();
            if (c == ',') {
                pos++;
            } else if (c == ']') {
                pos++;
                depth--;
                return list;
            } else {
                throw expected("',' or ']' in array");
            }
        }
    }

    private String parseString() {
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= n) {
                throw expected("'\"' closing the string");
            }
            char c = s.charAt(pos);
            if (c == '"') {
                pos++;
                return sb.toString();
            } else if (c == '\\') {
                parseEscape(sb);
            } else if (c < 0x20) {
                throw expected("a character of a string (control characters must be escaped)");
            } else {
                sb.append(c);
                pos++;
            }
        }
    }

    private void parseEscape(StringBuilder sb) {
        pos++; // backslash
        int e = peek();
        switch (e) {
            case '"' -> sb.append('"');
            case '\\' -> sb.append('\\');
            case '/' -> sb.append('/');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'u' -> {
                int escapeAt = pos - 1;
                pos++;
                char u = hex4();
                if (Character.isHighSurrogate(u)) {
                    // A pair must follow as a second escape; a lone half is not a Unicode character.
                    if (pos + 1 < n && s.charAt(pos) == '\\' && s.charAt(pos + 1) == 'u') {
                        pos += 2;
                        char low = hex4();
                        if (!Character.isLowSurrogate(low)) {
                            throw new JsonException(escapeAt, "high surrogate \\u" + hex(u)
                                    + " followed by \\u" + hex(low) + ", expected a low surrogate");
                        }
                        sb.append(u).append(low);
                    } else {
                        throw new JsonException(escapeAt, "lone high surrogate \\u" + hex(u)
                                + ", expected a \\u low surrogate after it");
                    }
                } else if (Character.isLowSurrogate(u)) {
                    throw new JsonException(escapeAt, "lone low surrogate \\u" + hex(u));
                } else {
                    sb.append(u);
                }
                return;
            }
            default -> throw expected("an escape (one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        }
        pos++;
    }

    private char hex4() {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int c = peek();
            int d = Character.digit(c < 0 ? 0 : c, 16);
            if (d < 0 || c > 'f') { // Character.digit also accepts non-ASCII digits
                throw expected("4 hex digits after \\u");
            }
            v = v * 16 + d;
            pos++;
        }
        return (char) v;
    }

    private Object parseNumber() {
        int start = pos;
        boolean integral = true;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            skipDigits();
        } else {
            throw expected("a digit");
        }
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) {
                throw expected("a digit after the decimal point");
            }
            skipDigits();
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw expected("a digit in the exponent");
            }
            skipDigits();
        }
        String literal = s.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(literal);
            } catch (NumberFormatException tooBig) {
                // Beyond the range of long: fall through and keep it as a double, like most parsers.
            }
        }
        double d = Double.parseDouble(literal);
        if (Double.isInfinite(d)) {
            // Writing it back would be impossible (JSON has no Infinity), so refuse it here.
            throw new JsonException(start, "number " + abbreviate(literal) + " is outside the range of a double");
        }
        return d;
    }

    private void literal(String word) {
        if (!s.startsWith(word, pos)) {
            throw expected("'" + word + "'");
        }
        pos += word.length();
    }

    private void enter() {
        if (++depth > Json.MAX_DEPTH) {
            throw new JsonException(pos, "nesting deeper than " + Json.MAX_DEPTH + " levels");
        }
    }

    private void skipWhitespace() {
        while (pos < n) {
            char c = s.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else {
                return;
            }
        }
    }

    private void skipDigits() {
        while (isDigit(peek())) {
            pos++;
        }
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private int peek() {
        return pos < n ? s.charAt(pos) : -1;
    }

    private JsonException expected(String what) {
        String found;
        if (pos >= n) {
            found = "end of input";
        } else {
            char c = s.charAt(pos);
            found = c < 0x20 || c > 0x7e ? "U+" + hex(c) : "'" + c + "'";
        }
        return new JsonException(pos, "expected " + what + ", found " + found);
    }

    private static String hex(char c) {
        return String.format("%04X", (int) c);
    }

    static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}
