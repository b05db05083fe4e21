package dev.sparkdit.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON through Jackson (the version Spark carries, so the job's class path holds one), strict: duplicate keys,
 * trailing text, non-finite numbers and nesting deeper than {@value #MAX_DEPTH} are errors. Parsed values are
 * {@code LinkedHashMap<String, Object>} (key order kept), {@code ArrayList<Object>}, {@code String}, {@code Long}
 * (an integer literal that fits a long), {@code Double} (any other number), {@code Boolean}, or {@code null}; the
 * typed helpers ({@link #asMap}, {@link #asLong}, ...) read them and throw a {@link JsonException} naming what was
 * being read and what it was.
 */
public final class Json {
    /** Deepest nesting of objects and arrays that {@link #parse} accepts. */
    public static final int MAX_DEPTH = 512;

    private static final ObjectMapper MAPPER = JsonMapper.builder(new com.fasterxml.jackson.core.JsonFactory()
                    .setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build()))
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }

    /** The project's configured mapper, for code that binds JSON to records. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Parses one JSON value; anything but whitespace after it is an error. */
    public static Object parse(String text) {
        try {
            return normalize(MAPPER.readValue(text, Object.class));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            int offset = at == null ? -1 : (int) Math.max(0, at.getCharOffset());
            throw new JsonException(offset, e.getOriginalMessage());
        }
    }

    /** Integers become Longs, and those beyond a long Doubles, as the documented value types promise. */
    private static Object normalize(Object v) {
        if (v instanceof Integer i) {
            return i.longValue();
        }
        if (v instanceof BigInteger b) {
            return b.bitLength() < 64 ? (Object) b.longValue() : (Object) b.doubleValue();
        }
        if (v instanceof BigDecimal d) {
            return d.doubleValue();
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put((String) e.getKey(), normalize(e.getValue()));
            }
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) {
                out.add(normalize(o));
            }
            return out;
        }
        return v;
    }

    /**
     * Compact JSON for {@code value}: maps with String keys (written in iteration order), lists, strings, boxed
     * finite numbers, booleans and null. Doubles are written so they parse back to the same bits.
     */
    public static String write(Object value) {
        requireWritable(value, "$");
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new JsonException("cannot write JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * {@code value} as Python's {@code json.dumps(value, indent=2, sort_keys=True)} writes it, plus a final newline:
     * what diffusers and transformers save {@code config.json} files with. Keys sorted, each key and list element on
     * its own line, {@code ": "} and {@code ","} as separators, floats as Python's {@code repr} ({@code 1e-05},
     * {@code 3.0}), non-ASCII characters escaped.
     */
    public static String writeIndented(Object value) {
        requireWritable(value, "$");
        StringBuilder out = new StringBuilder();
        indented(out, value, 0);
        return out.append('\n').toString();
    }

    private static void indented(StringBuilder out, Object v, int depth) {
        if (v instanceof Map<?, ?> m && !m.isEmpty()) {
            out.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : new java.util.TreeMap<>(m).entrySet()) {
                out.append("  ".repeat(depth + 1)).append(ascii(write(e.getKey()))).append(": ");
                indented(out, e.getValue(), depth + 1);
                out.append(++i < m.size() ? ",\n" : "\n");
            }
            out.append("  ".repeat(depth)).append('}');
        } else if (v instanceof List<?> l && !l.isEmpty()) {
            out.append("[\n");
            for (int i = 0; i < l.size(); i++) {
                out.append("  ".repeat(depth + 1));
                indented(out, l.get(i), depth + 1);
                out.append(i + 1 < l.size() ? ",\n" : "\n");
            }
            out.append("  ".repeat(depth)).append(']');
        } else if (v instanceof Double || v instanceof Float) {
            out.append(pythonFloat(((Number) v).doubleValue()));
        } else {
            out.append(ascii(write(v)));
        }
    }

    /**
     * Python's {@code repr(float)}: scientific below 1e-4 and from 1e16, always a point or an exponent. The digits are
     * {@link Double#toString}'s, which on Java 17 are now and then one longer than the shortest ({@code 4.9E-324}
     * where Python writes {@code 5e-324}); they still parse back to the same double.
     */
    static String pythonFloat(double d) {
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        java.math.BigDecimal b = new java.math.BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = b.unscaledValue().toString();
        int point = digits.length() - b.scale(); // value = 0.DIGITS x 10^point
        String sign = d < 0 ? "-" : "";
        if (point <= -4 || point > 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            int exp = point - 1;
            return sign + mantissa + "e" + (exp < 0 ? "-" : "+")
                    + String.format(java.util.Locale.ROOT, "%02d", Math.abs(exp));
        }
        if (point <= 0) {
            return sign + "0." + "0".repeat(-point) + digits;
        }
        if (point >= digits.length()) {
            return sign + digits + "0".repeat(point - digits.length()) + ".0";
        }
        return sign + digits.substring(0, point) + "." + digits.substring(point);
    }

    /** Python's {@code ensure_ascii}: every character past U+007F as a \\uXXXX escape. */
    private static String ascii(String json) {
        StringBuilder out = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c > 0x7F) {
                if (out == null) {
                    out = new StringBuilder(json.substring(0, i));
                }
                out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? json : out.toString();
    }

    private static void requireWritable(Object v, String path) {
        if (v instanceof Double d && !Double.isFinite(d) || v instanceof Float f && !Float.isFinite(f)) {
            throw new JsonException("cannot write " + path + ": " + v + " has no JSON representation");
        }
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    throw new JsonException("cannot write " + path + ": key " + e.getKey() + " is not a String");
                }
                requireWritable(e.getValue(), path + "." + e.getKey());
            }
        } else if (v instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                requireWritable(l.get(i), path + "[" + i + "]");
            }
        }
    }

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
            shown = " \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        } else if (actual instanceof Number || actual instanceof Boolean) {
            shown = " " + actual;
        }
        return new JsonException(what + ": expected " + expected + ", got " + typeName(actual) + shown);
    }
}
