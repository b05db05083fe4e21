package dev.sparkdit.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Writes the values {@link Json#parse} returns (plus the other boxed Java numbers) as compact JSON.
 * Errors name the path of the bad value ({@code $.a[3]}) so a caller building a large document can
 * find it.
 */
final class JsonWriter {
    private JsonWriter() {
    }

    static void write(Object value, StringBuilder out, String path, int depth) {
        if (depth > Json.MAX_DEPTH) {
            // Also what stops a map that contains itself from overflowing the stack.
            throw new JsonException("cannot write " + path + ": nesting deeper than " + Json.MAX_DEPTH
                    + " levels (a cycle?)");
        }
        if (value == null) {
            out.append("null");
        } else if (value instanceof String str) {
            writeString(str, out, path);
        } else if (value instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof Byte || value instanceof BigInteger) {
            out.append(value);
        } else if (value instanceof Double d) {
            requireFinite(d, path);
            // Double.toString prints enough digits to parse back to the same double.
            out.append(Double.toString(d));
        } else if (value instanceof Float f) {
            requireFinite(f, path);
            // Shortest decimal of the float, which reads back (as a double, then cast) to the same float.
            out.append(Float.toString(f));
        } else if (value instanceof BigDecimal bd) {
            out.append(bd.toString());
        } else if (value instanceof Map<?, ?> map) {
            writeObject(map, out, path, depth);
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(list.get(i), out, path + "[" + i + "]", depth + 1);
            }
            out.append(']');
        } else {
            throw new JsonException("cannot write " + path + ": " + value.getClass().getName()
                    + " is not a JSON type (use Map, List, String, a boxed number, Boolean or null)");
        }
    }

    private static void writeObject(Map<?, ?> map, StringBuilder out, String path, int depth) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new JsonException("cannot write " + path + ": object key " + e.getKey() + " is "
                        + (e.getKey() == null ? "null" : e.getKey().getClass().getName()) + ", not a String");
            }
            if (!first) {
                out.append(',');
            }
            first = false;
            String childPath = path + "." + JsonParser.abbreviate(key);
            writeString(key, out, childPath);
            out.append(':');
            write(e.getValue(), out, childPath, depth + 1);
        }
        out.append('}');
    }

    private static void requireFinite(double d, String path) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new JsonException("cannot write " + path + ": " + d + " has no JSON representation");
        }
    }

    private static void writeString(String s, StringBuilder out, String path) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        // It would become '?' in UTF-8 and the parser rejects it as an escape: refuse it.
                        throw new JsonException("cannot write " + path + ": string has an unpaired surrogate U+"
                                + String.format("%04X", (int) c) + " at index " + i);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
