package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Device;
import dev.sparkdit.tensor.Tensor;

import java.util.Arrays;

/**
 * A tensor seen as a row-strided matrix {@code [rows, cols]} with leading dimension {@code ld}
 * (elements between row starts): the last dimension is the columns, all leading dimensions collapse
 * into rows (they must be mutually contiguous). This is how launchers turn strides into the
 * {@code ld} arguments of kernels and cuBLASLt.
 */
record Matrix(long rows, long cols, long ld) {

    static Matrix of(Tensor t, String what) {
        int r = t.rank();
        if (r == 0) {
            return new Matrix(1, 1, 1);
        }
        long cols = t.dim(-1);
        if (t.stride(-1) != 1 && cols > 1) {
            throw new IllegalArgumentException(what + ": last dimension must be contiguous, got " + t);
        }
        if (r == 1) {
            return new Matrix(1, cols, Math.max(cols, 1));
        }
        long rows = 1;
        for (int i = 0; i < r - 1; i++) {
            rows *= t.dim(i);
        }
        for (int i = 0; i < r - 2; i++) {
            if (t.dim(i) > 1 && t.stride(i) != t.stride(i + 1) * t.dim(i + 1)) {
                throw new IllegalArgumentException(what + ": leading dimensions of " + t + " with strides "
                        + Arrays.toString(t.strides()) + " do not collapse into rows");
            }
        }
        return new Matrix(rows, cols, t.stride(-2));
    }

    /** True when {@link #of} accepts the tensor: the leading dimensions collapse into rows. */
    static boolean collapsible(Tensor t) {
        if (t.rank() > 0 && t.stride(-1) != 1 && t.dim(-1) > 1) {
            return false;
        }
        for (int i = 0; i < t.rank() - 2; i++) {
            if (t.dim(i) > 1 && t.stride(i) != t.stride(i + 1) * t.dim(i + 1)) {
                return false;
            }
        }
        return true;
    }

    static void requireCuda(Tensor t, String what) {
        if (t.device().kind() != Device.Kind.CUDA) {
            throw new IllegalArgumentException(what + " must be on a CUDA device, got " + t);
        }
    }

    static void requireDType(Tensor t, String what, DType... allowed) {
        for (DType d : allowed) {
            if (t.dtype() == d) {
                return;
            }
        }
        throw new IllegalArgumentException(what + ": dtype " + t.dtype() + " not supported (expected one of "
                + Arrays.toString(allowed) + "), tensor " + t);
    }

    static void requireSameShape(Tensor a, String an, Tensor b, String bn) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(an + " shape " + Arrays.toString(a.shape()) + " differs from " + bn
                    + " shape " + Arrays.toString(b.shape()));
        }
    }

    static void requireContiguous(Tensor t, String what) {
        if (!t.isContiguous()) {
            throw new IllegalArgumentException(what + " must be contiguous, got " + t);
        }
    }

    /** Kernel-name suffix of a storage dtype. */
    static String suffix(DType d) {
        return switch (d) {
            case F32 -> "f32";
            case BF16 -> "bf16";
            case F16 -> "f16";
            default -> throw new IllegalArgumentException("no kernels for dtype " + d);
        };
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
