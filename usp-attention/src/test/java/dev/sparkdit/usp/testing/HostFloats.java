package dev.sparkdit.usp.testing;

import dev.sparkdit.tensor.Tensor;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/** Reads and writes the fp32 elements of a contiguous host tensor. */
public final class HostFloats {
    private HostFloats() {
    }

    private static FloatPointer at(Tensor t) {
        return new FloatPointer(new Pointer() {
            {
                address = t.address();
            }
        });
    }

    public static void put(Tensor t, float[] values) {
        at(t).put(values, 0, values.length);
    }

    public static float[] get(Tensor t) {
        float[] out = new float[Math.toIntExact(t.numel())];
        at(t).get(out, 0, out.length);
        return out;
    }
}
