package dev.sparkdit.json;

import java.util.List;
import java.util.Map;

/**
 * A small strict JSON parser and writer, kept in-house so the executor does not bring a Jackson that
 * clashes with the one on Spark's classpath. It is sized for configuration and file headers (a
 * safetensors header of a FLUX shard is a few hundred kB), not for bulk data.
 *
 * <p>Parsed values are {@code LinkedHashMap<String, Object>} (key order kept), {@code ArrayList<Object>},
 * {@code String}, {@code Long} (an integer literal that fits a long), {@code Double} (any other
 * number), {@code Boolean}, or {@code null}. The typed helpers ({@link #asMap}, {@link #asLong}, ...)
 * read those values and throw a {@link JsonException} naming what was being read and what it was.
 */
public final class Json {
    /** Deepest nesting of objects and arrays that {@link #parse} and {@link #write} accept. */
    public static final int MAX_DEPTH = 512;

    private Json() {
    }

    /** Parses one JSON value; anything but whitespace after it is an error. */
    public static Object parse(String text) {
        return new JsonParser(text).parseDocument();
    }

    /**
     * Compact JSON for {@code value}: maps with String keys (written in iteration order), lists, strings,
     * boxed numbers (finite), booleans and null. Doubles are written so they parse back to the same bits.
     */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        JsonWriter.write(value, out, "$", 0);
        return out.toString();
    }

    /** A JSON object, or a {@link JsonException} naming {@code what} and the actual type. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> asMap(Object value, String what) {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw wrongType(what, "an object", value);
    }

    @SuppressWarnings("unchecked")
    public static List<Object> asList(Object value, String what) {
        if (value instanceof List<?> list) {
            return (List<Object>) list;
        }
        throw wrongType(what, "an array", value);
    }

    public static String asString(Object value, String what) {
        if (value instanceof String s) {
            return s;
        }
        throw wrongType(what, "a string", value);
    }

    /** An integer literal; {@code 3.0} or {@code 3e0} is refused, as silently truncating would hide bugs. */
    public static long asLong(Object value, String what) {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        throw wrongType(what, "an integer", value);
    }

    /** Any number, integer or not. */
    public static double asDouble(Object value, String what) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        throw wrongType(what, "a number", value);
    }

    public static boolean asBoolean(Object value, String what) {
        if (value instanceof Boolean b) {
            return b;
        }
        throw wrongType(what, "a boolean", value);
    }

    /** The JSON name of a parsed value's type: object, array, string, integer, number, boolean or null. */
    public static String typeName(Object value) {
        if (value == null) {
            return "null";
        } else if (value instanceof Map) {
            return "object";
        } else if (value instanceof List) {
            return "array";
        } else if (value instanceof String) {
            return "string";
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return "integer";
        } else if (value instanceof Number) {
            return "number";
        } else if (value instanceof Boolean) {
            return "boolean";
        }
        return value.getClass().getName();
    }

    private static JsonException wrongType(String what, String expected, Object actual) {
        String shown = "";
        if (actual instanceof String s) {
            shown = " \"" + JsonParser.abbreviate(s) + "\"";
        } else if (actual instanceof Number || actual instanceof Boolean) {
            shown = " " + actual;
        }
        return new JsonException(what + ": expected " + expected + ", got " + typeName(actual) + shown);
    }
}
