package dev.sparkdit.models;

import dev.sparkdit.tensor.DType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A checkpoint tensor's values as fp32 on the host, whatever float type it is stored in. */
public final class HostFloats {
    private HostFloats() {
    }

    public static float[] of(TensorSource src, String key) {
        DType dt = src.dtype(key);
        ByteBuffer b = src.data(key).duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long[] shape = src.shape(key);
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] out = new float[Math.toIntExact(n)];
        int at = b.position();
        switch (dt) {
            case F32 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = b.getFloat(at + 4 * i);
                }
            }
            case F64 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) b.getDouble(at + 8 * i);
                }
            }
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(at + 2 * i) & 0xFFFF) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = halfToFloat(b.getShort(at + 2 * i));
                }
            }
            default -> throw new IllegalArgumentException(src.description() + ": " + key + " is " + dt
                    + ", not a float type");
        }
        return out;
    }

    /** IEEE binary16 to binary32, exactly (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
