package dev.sparkdit.cuda;

import dev.sparkdit.tensor.Tensor;

import java.util.Arrays;

/**
 * How {@code strided_copy.cu} copies one view into another of the same shape and dtype: dimensions of
 * extent 1 dropped, neighbours that are contiguous in both views merged, and the widest unit (16, 8, 4,
 * 2 or 1 bytes) that both base addresses, every outer stride and the innermost extent allow. Pure
 * arithmetic, so it is tested without a GPU; {@link #sourceOffset}/{@link #destOffset} are the kernel's
 * own index math.
 *
 * <pre>
 *   dst [3, 12, 2304, 128] bf16 strides (h*P*Dh..)  ->  unit 16 B, size [.., 16], strides in units
 *   the innermost dimension always has stride 1 on both sides when unit > element size
 * </pre>
 *
 * @param unitBytes bytes moved per thread step
 * @param size      extents in units, outermost first
 * @param dst       destination strides in units
 * @param src       source strides in units
 */
public record CopyLayout(int unitBytes, long[] size, long[] dst, long[] src) {
    public static final int MAX_RANK = 6;
    private static final int[] UNITS = {16, 8, 4, 2, 1};

    /** Plans {@code dst <- src}; throws naming both views when they differ in shape or dtype, or need rank > 6. */
    public static CopyLayout of(Tensor dstView, Tensor srcView) {
        if (!Arrays.equals(dstView.shape(), srcView.shape()) || dstView.dtype() != srcView.dtype()) {
            throw new IllegalArgumentException("strided copy needs the same shape and dtype: " + dstView + " <- "
                    + srcView);
        }
        int es = dstView.dtype().bytes();
        // Drop extent-1 dims, then merge i into i+1 where both views step over i+1 exactly once per i.
        long[] n = new long[dstView.rank()];
        long[] d = new long[n.length];
        long[] s = new long[n.length];
        int r = 0;
        for (int i = 0; i < dstView.rank(); i++) {
            if (dstView.dim(i) == 0) {
                return new CopyLayout(es, new long[] {0}, new long[] {1}, new long[] {1});
            }
            if (dstView.dim(i) == 1) {
                continue;
            }
            long sz = dstView.dim(i);
            long ds = dstView.stride(i);
            long ss = srcView.stride(i);
            if (r > 0 && d[r - 1] == ds * sz && s[r - 1] == ss * sz) {
                n[r - 1] *= sz;
                d[r - 1] = ds;
                s[r - 1] = ss;
                continue;
            }
            n[r] = sz;
            d[r] = ds;
            s[r] = ss;
            r++;
        }
        if (r == 0) {
            return new CopyLayout(es, new long[] {1}, new long[] {1}, new long[] {1});
        }
        n = Arrays.copyOf(n, r);
        d = Arrays.copyOf(d, r);
        s = Arrays.copyOf(s, r);
        if (r > MAX_RANK) {
            throw new IllegalArgumentException("strided copy: " + dstView + " <- " + srcView + " is rank " + r
                    + " after merging contiguous dimensions (extents " + Arrays.toString(n) + "); at most " + MAX_RANK);
        }
        int unit = es;
        if (d[r - 1] == 1 && s[r - 1] == 1) {
            for (int u : UNITS) {
                if (u > es && fits(u, es, n, d, s, dstView.address(), srcView.address())) {
                    unit = u;
                    break;
                }
            }
        }
        int per = unit / es;
        if (per > 1) {
            n[r - 1] /= per;
            for (int i = 0; i < r - 1; i++) {
                d[i] /= per;
                s[i] /= per;
            }
        }
        return new CopyLayout(unit, n, d, s);
    }

    private static boolean fits(int unit, int es, long[] n, long[] d, long[] s, long dstAddr, long srcAddr) {
        if (dstAddr % unit != 0 || srcAddr % unit != 0 || (n[n.length - 1] * es) % unit != 0) {
            return false;
        }
        for (int i = 0; i < n.length - 1; i++) {
            if ((d[i] * es) % unit != 0 || (s[i] * es) % unit != 0) {
                return false;
            }
        }
        return true;
    }

    public int rank() {
        return size.length;
    }

    /** Units to copy. */
    public long total() {
        long t = 1;
        for (long x : size) {
            t *= x;
        }
        return t;
    }

    /** The source offset (units) of flat index {@code i}, as the kernel computes it. */
    public long sourceOffset(long i) {
        return offset(i, src);
    }

    public long destOffset(long i) {
        return offset(i, dst);
    }

    private long offset(long i, long[] strides) {
        long o = 0;
        for (int k = size.length - 1; k >= 0; k--) {
            o += (i % size[k]) * strides[k];
            i /= size[k];
        }
        return o;
    }

    /** The kernel's {@code CopyDims} argument: 6 extents, 6 destination strides, 6 source strides. */
    long[] dims() {
        long[] a = new long[3 * MAX_RANK];
        for (int i = 0; i < rank(); i++) {
            a[i] = size[i];
            a[MAX_RANK + i] = dst[i];
            a[2 * MAX_RANK + i] = src[i];
        }
        return a;
    }

    @Override
    public String toString() {
        return "CopyLayout[unit " + unitBytes + " B, size " + Arrays.toString(size) + ", dst " + Arrays.toString(dst)
                + ", src " + Arrays.toString(src) + "]";
    }
}
