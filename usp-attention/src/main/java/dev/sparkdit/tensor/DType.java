package dev.sparkdit.tensor;

import java.util.Locale;

/** Element types a {@link Tensor} can hold, with their safetensors names and byte sizes. */
public enum DType {
    F64("F64", 8),
    F32("F32", 4),
    F16("F16", 2),
    BF16("BF16", 2),
    F8_E4M3("F8_E4M3", 1),
    F8_E5M2("F8_E5M2", 1),
    I64("I64", 8),
    I32("I32", 4),
    I16("I16", 2),
    I8("I8", 1),
    U8("U8", 1),
    BOOL("BOOL", 1);

    private final String safetensorsName;
    private final int bytes;

    DType(String safetensorsName, int bytes) {
        this.safetensorsName = safetensorsName;
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    public String safetensorsName() {
        return safetensorsName;
    }

    public boolean isFloatingPoint() {
        return this == F64 || this == F32 || this == F16 || this == BF16 || this == F8_E4M3 || this == F8_E5M2;
    }

    /** Parses a safetensors dtype name; throws naming the bad value. */
    public static DType fromSafetensors(String name) {
        for (DType d : values()) {
            if (d.safetensorsName.equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dtype '" + name + "'");
    }

    /** Parses a user-facing name such as {@code f32}, {@code bf16}, {@code fp32}. */
    public static DType parse(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "f32", "fp32", "float32", "float" -> F32;
            case "bf16", "bfloat16" -> BF16;
            case "f16", "fp16", "float16", "half" -> F16;
            case "f64", "fp64", "float64", "double" -> F64;
            case "f8", "fp8", "f8_e4m3", "e4m3" -> F8_E4M3;
            default -> throw new IllegalArgumentException(
                    "unknown dtype '" + name + "' (expected one of f32, bf16, f16, f64, f8_e4m3)");
        };
    }
}
