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
        if (!leadingCollapse(t)) {
            throw new IllegalArgumentException(what + ": leading dimensions of " + t + " with strides "
                    + Arrays.toString(t.strides()) + " do not collapse into rows");
        }
        return new Matrix(rows, cols, rowStride(t, cols));
    }

    /**
     * The step between rows: the stride of the innermost leading dimension of size > 1 (dimensions of
     * size 1 carry no step, and a view may give them any stride).
     */
    private static long rowStride(Tensor t, long cols) {
        for (int j = t.rank() - 2; j >= 0; j--) {
            if (t.dim(j) > 1) {
                return t.stride(j);
            }
        }
        return Math.max(cols, 1);
    }

    /**
     * Leading dimensions collapse into evenly spaced rows when each one of size > 1 steps by the row
     * stride times the number of rows inside it. Size-1 dimensions are skipped for their own stride but
     * still count in that product (pairwise checks that skip them accept views with gaps).
     */
    private static boolean leadingCollapse(Tensor t) {
        int r = t.rank();
        int j = r - 2;
        while (j >= 0 && t.dim(j) == 1) {
            j--;
        }
        if (j < 0) {
            return true;
        }
        long expect = t.stride(j) * t.dim(j);
        for (int i = j - 1; i >= 0; i--) {
            if (t.dim(i) > 1 && t.stride(i) != expect) {
                return false;
            }
            expect *= t.dim(i);
        }
        return true;
    }

    /** True when {@link #of} accepts the tensor: last dimension dense, leading dimensions collapse into rows. */
    static boolean collapsible(Tensor t) {
        if (t.rank() > 0 && t.stride(-1) != 1 && t.dim(-1) > 1) {
            return false;
        }
        return t.rank() < 2 || leadingCollapse(t);
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
