package dev.sparkdit.safetensors;

import dev.sparkdit.tensor.DType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor's raw bytes in host memory, as safetensors stores them: contiguous, row-major, little-endian
 * elements. What {@link SafetensorsWriter} writes and {@link SafetensorsFile#tensor} returns.
 *
 * <p>The buffer's bytes from its position to its limit are the data; the record keeps its own read-only
 * view, so later changes to the caller's position or limit do not change the tensor (changes to the
 * bytes themselves do: nothing is copied).
 */
public record HostTensor(DType dtype, long[] shape, ByteBuffer data) {

    public HostTensor {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        long numel = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            numel = Math.multiplyExact(numel, d);
        }
        long needed = Math.multiplyExact(numel, (long) dtype.bytes());
        if (data.remaining() != needed) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + needed + " bytes, the buffer has " + data.remaining());
        }
        data = data.slice().asReadOnlyBuffer();
    }

    /** Wraps {@code bytes} (little-endian elements), without copying. */
    public static HostTensor of(DType dtype, long[] shape, byte[] bytes) {
        return new HostTensor(dtype, shape, ByteBuffer.wrap(bytes));
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** A fresh read-only little-endian view (position 0, limit = byte size) of the bytes. */
    @Override
    public ByteBuffer data() {
        return data.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public long byteSize() {
        return data.capacity();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostTensor t && t.dtype == dtype && Arrays.equals(t.shape, shape)
                && t.data.equals(data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), data);
    }

    @Override
    public String toString() {
        return "HostTensor[" + dtype + " " + Arrays.toString(shape) + ", " + byteSize() + " bytes]";
    }
}
