package dev.sparkdit.safetensors;

import dev.sparkdit.tensor.DType;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a safetensors file as its header describes it. {@code begin} and {@code end} are byte
 * offsets relative to the start of the data section (the byte after the header), end exclusive, as in
 * the header's {@code data_offsets}. An empty shape is a scalar (one element).
 */
public record SafetensorsEntry(String name, DType dtype, long[] shape, long begin, long end) {

    public SafetensorsEntry {
        Objects.requireNonNull(name, "tensor name");
        Objects.requireNonNull(dtype, "dtype of tensor " + name);
        Objects.requireNonNull(shape, "shape of tensor " + name);
        shape = shape.clone();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in shape "
                        + Arrays.toString(shape));
            }
        }
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("tensor '" + name + "': offsets [" + begin + ", " + end
                    + "] need 0 <= begin <= end");
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Element count; throws {@link ArithmeticException} if it overflows a long (never for a parsed entry). */
    public long numel() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Bytes the entry's data occupies in the file: {@code end - begin}. */
    public long byteSize() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SafetensorsEntry e && e.name.equals(name) && e.dtype == dtype
                && Arrays.equals(e.shape, shape) && e.begin == begin && e.end == end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape) + " @[" + begin + ", " + end + ")";
    }
}
