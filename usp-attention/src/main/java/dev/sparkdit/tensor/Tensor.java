package dev.sparkdit.tensor;

import java.util.Arrays;

/**
 * A typed view over raw memory: an address, the device it lives on, the element type, the shape and
 * the strides in elements. Tensors own nothing: memory belongs to an {@link Arena} (or a mapped file),
 * so a tensor is a value that can be copied and sliced freely.
 *
 * <p>Views made by {@link #narrow} keep the parent's strides, so a column range of a matrix is a
 * row-strided 2D tensor. Backends accept any tensor whose last dimension is contiguous
 * ({@link #isRowStrided()}); fully contiguous is checked where an op needs it.
 */
public record Tensor(long address, Device device, DType dtype, long[] shape, long[] strides) {

    public Tensor {
        if (device == null || dtype == null || shape == null) {
            throw new IllegalArgumentException("tensor device, dtype and shape must not be null");
        }
        shape = shape.clone();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
        }
        strides = strides == null ? contiguousStrides(shape) : strides.clone();
        if (strides.length != shape.length) {
            throw new IllegalArgumentException("strides " + Arrays.toString(strides)
                    + " do not match shape " + Arrays.toString(shape));
        }
    }

    /** A contiguous tensor. */
    public Tensor(long address, Device device, DType dtype, long... shape) {
        this(address, device, dtype, shape, null);
    }

    public static long[] contiguousStrides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public long[] strides() {
        return strides.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public long stride(int i) {
        return strides[i < 0 ? strides.length + i : i];
    }

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Bytes covered by the elements (numel times element size); for contiguous tensors, the footprint. */
    public long bytes() {
        return numel() * dtype.bytes();
    }

    public boolean isContiguous() {
        return Arrays.equals(strides, contiguousStrides(shape)) || numel() <= 1;
    }

    /** True when the last dimension is dense and every other stride is a multiple of nothing in particular. */
    public boolean isRowStrided() {
        return shape.length == 0 || strides[shape.length - 1] == 1 || shape[shape.length - 1] <= 1;
    }

    /** The slice {@code [start, start + length)} of dimension {@code d}, sharing memory. */
    public Tensor narrow(int d, long start, long length) {
        int dd = d < 0 ? shape.length + d : d;
        if (dd < 0 || dd >= shape.length) {
            throw new IllegalArgumentException("dimension " + d + " out of range for shape " + Arrays.toString(shape));
        }
        if (start < 0 || length < 0 || start + length > shape[dd]) {
            throw new IllegalArgumentException("narrow(" + d + ", " + start + ", " + length
                    + ") out of range for shape " + Arrays.toString(shape));
        }
        long[] s = shape.clone();
        s[dd] = length;
        return new Tensor(address + start * strides[dd] * dtype.bytes(), device, dtype, s, strides);
    }

    /** A contiguous reinterpretation with another shape of the same element count. */
    public Tensor view(long... newShape) {
        long n = 1;
        int infer = -1;
        long[] s = newShape.clone();
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("only one -1 allowed in " + Arrays.toString(newShape));
                }
                infer = i;
            } else {
                n *= s[i];
            }
        }
        if (infer >= 0) {
            if (n == 0 || numel() % n != 0) {
                throw new IllegalArgumentException("cannot view shape " + Arrays.toString(shape)
                        + " as " + Arrays.toString(newShape));
            }
            s[infer] = numel() / n;
            n *= s[infer];
        }
        if (n != numel()) {
            throw new IllegalArgumentException("cannot view shape " + Arrays.toString(shape) + " ("
                    + numel() + " elements) as " + Arrays.toString(newShape));
        }
        if (!isContiguous()) {
            throw new IllegalArgumentException("view of a non-contiguous tensor " + this);
        }
        return new Tensor(address, device, dtype, s, null);
    }

    /** The same memory seen with another element type of equal size (used for raw transfers). */
    public Tensor withDType(DType other) {
        if (other.bytes() != dtype.bytes()) {
            throw new IllegalArgumentException("cannot reinterpret " + dtype + " as " + other);
        }
        return new Tensor(address, device, other, shape, strides);
    }

    public void requireShape(String what, long... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new IllegalArgumentException(what + ": expected shape " + Arrays.toString(expected)
                    + ", got " + Arrays.toString(shape));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && t.address == address && t.device.equals(device) && t.dtype == dtype
                && Arrays.equals(t.shape, shape) && Arrays.equals(t.strides, strides);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(address) * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype + " " + Arrays.toString(shape)
                + (isContiguous() ? "" : " strides " + Arrays.toString(strides)) + " @" + device
                + " 0x" + Long.toHexString(address) + "]";
    }
}
