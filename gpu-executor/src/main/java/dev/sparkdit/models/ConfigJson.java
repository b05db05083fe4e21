package dev.sparkdit.models;

import java.util.List;
import java.util.Map;

/**
 * Typed reads of a model's {@code config.json} (as parsed by {@code dev.sparkdit.json.Json}): a missing key takes
 * the reference implementation's default, a wrong type is an error naming the file and the key.
 */
public record ConfigJson(String source, Map<String, Object> json) {
    /**
     * The library versions written into configs this project writes ({@code _diffusers_version},
     * {@code transformers_version}): those that wrote the golden model folders these readers are tested against.
     */
    public static final String DIFFUSERS_VERSION = "0.40.0.dev0";
    public static final String TRANSFORMERS_VERSION = "5.17.0";

    /** transformers' name of a weights dtype, as its config.json {@code dtype} key holds it. */
    public static String torchDtypeName(dev.sparkdit.tensor.DType dtype) {
        return switch (dtype) {
            case F32 -> "float32";
            case BF16 -> "bfloat16";
            case F16 -> "float16";
            default -> throw new IllegalArgumentException("no torch dtype name for " + dtype);
        };
    }

    public boolean has(String key) {
        return json.get(key) != null;
    }

    public int intValue(String key, int dflt) {
        Object v = json.get(key);
        return v == null ? dflt : toInt(key, v);
    }

    public int requireInt(String key) {
        Object v = json.get(key);
        if (v == null) {
            throw new IllegalArgumentException(source + ": " + key + " is missing");
        }
        return toInt(key, v);
    }

    public double doubleValue(String key, double dflt) {
        Object v = json.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException(source + ": " + key + " must be a number, got " + v);
    }

    public boolean boolValue(String key, boolean dflt) {
        Object v = json.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException(source + ": " + key + " must be true or false, got " + v);
    }

    public String stringValue(String key, String dflt) {
        Object v = json.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException(source + ": " + key + " must be a string, got " + v);
    }

    public int[] intList(String key, int[] dflt) {
        Object v = json.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof List<?> list)) {
            throw new IllegalArgumentException(source + ": " + key + " must be a list of integers, got " + v);
        }
        int[] r = new int[list.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = toInt(key + "[" + i + "]", list.get(i));
        }
        return r;
    }

    public List<String> stringList(String key) {
        Object v = json.get(key);
        if (!(v instanceof List<?> list) || !list.stream().allMatch(e -> e instanceof String)) {
            throw new IllegalArgumentException(source + ": " + key + " must be a list of strings, got " + v);
        }
        return list.stream().map(String.class::cast).toList();
    }

    private int toInt(String key, Object v) {
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
            return n.intValue();
        }
        throw new IllegalArgumentException(source + ": " + key + " must be an integer, got " + v);
    }
}
