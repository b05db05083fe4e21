package dev.sparkdit.parity;

import dev.sparkdit.safetensors.SafetensorsEntry;
import dev.sparkdit.safetensors.SafetensorsFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** A case's io.safetensors tensors as host arrays, with errors naming the file, the tensor and the shapes. */
public final class CaseTensors {
    private CaseTensors() {
    }

    public static float[] floats(SafetensorsFile io, String name) throws IOException {
        SafetensorsEntry e = io.entry(name);
        ByteBuffer b = io.data(name).order(ByteOrder.LITTLE_ENDIAN);
        float[] r = new float[Math.toIntExact(e.numel())];
        switch (e.dtype()) {
            case F32 -> b.asFloatBuffer().get(r);
            case F64 -> {
                for (int i = 0; i < r.length; i++) {
                    r[i] = (float) b.getDouble(i * 8);
                }
            }
            default -> throw new IllegalArgumentException(io.path() + ": " + name + " is " + e.dtype()
                    + "; expected F32 or F64");
        }
        return r;
    }

    /** Integer ids (I64 or I32) as ints. */
    public static int[] ints(SafetensorsFile io, String name) throws IOException {
        SafetensorsEntry e = io.entry(name);
        ByteBuffer b = io.data(name).order(ByteOrder.LITTLE_ENDIAN);
        int[] r = new int[Math.toIntExact(e.numel())];
        switch (e.dtype()) {
            case I64 -> {
                for (int i = 0; i < r.length; i++) {
                    r[i] = Math.toIntExact(b.getLong(i * 8));
                }
            }
            case I32 -> b.asIntBuffer().get(r);
            default -> throw new IllegalArgumentException(io.path() + ": " + name + " is " + e.dtype()
                    + "; expected I64 or I32 ids");
        }
        return r;
    }

    public static long[] shape(SafetensorsFile io, String name) throws IOException {
        return io.entry(name).shape();
    }

    /** Checks {@code name}'s shape, naming both when they differ. */
    public static void requireShape(SafetensorsFile io, String name, long... expected) throws IOException {
        long[] s = io.entry(name).shape();
        if (!Arrays.equals(s, expected)) {
            throw new IllegalArgumentException(io.path() + ": " + name + " is " + Arrays.toString(s) + ", expected "
                    + Arrays.toString(expected));
        }
    }

    /** A channels-last image {@code [H, W, C]} as the reference's channels-first {@code [C, H, W]}. */
    public static float[] toChannelsFirst(float[] hwc, int h, int w, int c) {
        float[] chw = new float[hwc.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < c; ch++) {
                    chw[(ch * h + y) * w + x] = hwc[(y * w + x) * c + ch];
                }
            }
        }
        return chw;
    }

    /** The reference's {@code [C, H, W]} as channels-last {@code [H, W, C]}. */
    public static float[] toChannelsLast(float[] chw, int c, int h, int w) {
        float[] hwc = new float[chw.length];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    hwc[(y * w + x) * c + ch] = chw[(ch * h + y) * w + x];
                }
            }
        }
        return hwc;
    }
}
