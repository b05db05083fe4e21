package dev.sparkdit.safetensors;

import dev.sparkdit.tensor.DType;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor a writer will store, before its bytes exist: name, dtype and shape (row-major; an empty shape is a
 * scalar). Where its bytes go in a file is the writer's business ({@link SafetensorsEntry} once written).
 */
public record TensorSpec(String name, DType dtype, long[] shape) {

    public TensorSpec {
        Objects.requireNonNull(name, "tensor name");
        Objects.requireNonNull(dtype, "dtype of tensor " + name);
        Objects.requireNonNull(shape, "shape of tensor " + name);
        shape = shape.clone();
        long numel = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in shape "
                        + Arrays.toString(shape));
            }
            numel = Math.multiplyExact(numel, d);
        }
        Math.multiplyExact(numel, (long) dtype.bytes());
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** numel x dtype size. */
    public long byteSize() {
        return numel() * dtype.bytes();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && t.dtype == dtype && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape);
    }
}
