package dev.sparkdit.usp;

import dev.sparkdit.tensor.Tensor;

import java.util.Arrays;

/** The seam's shape contract for one rank of a strategy: q/k/v {@code [H, S_me, Dh]}, out {@code [S_me, H*Dh]}. */
final class LocalShapes {
    private LocalShapes() {
    }

    /**
     * One length per rank of a group of {@code groupSize}, none negative; returns the largest (the padded
     * length of the exchange buffers).
     */
    static int requireLengths(String strategy, int[] lengths, int groupSize) {
        if (lengths.length != groupSize) {
            throw new IllegalArgumentException(strategy + ": " + lengths.length + " lengths " + Arrays.toString(lengths)
                    + " for a group of " + groupSize + " ranks");
        }
        int max = 0;
        for (int l : lengths) {
            if (l < 0) {
                throw new IllegalArgumentException(strategy + ": negative length in " + Arrays.toString(lengths));
            }
            max = Math.max(max, l);
        }
        return max;
    }

    static void require(String strategy, int me, int[] lengths, Tensor out, Tensor q, Tensor k, Tensor v) {
        long h = q.dim(0);
        long s = q.dim(1);
        long dh = q.dim(2);
        if (s != lengths[me]) {
            throw new IllegalArgumentException(strategy + " rank " + me + ": q holds " + s + " tokens, the plan says "
                    + lengths[me] + " of " + Arrays.toString(lengths));
        }
        k.requireShape(strategy + " k", h, s, dh);
        v.requireShape(strategy + " v", h, s, dh);
        out.requireShape(strategy + " out", s, h * dh);
    }
}
