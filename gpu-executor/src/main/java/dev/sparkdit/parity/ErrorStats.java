package dev.sparkdit.parity;

/** How far an output is from its reference: relative L2 error and max abs error, in fp64. */
public record ErrorStats(double relL2, double maxAbs, long elements, long nonFinite) {

    public static ErrorStats of(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            throw new IllegalArgumentException("output has " + actual.length + " elements, reference "
                    + expected.length);
        }
        double diff2 = 0;
        double ref2 = 0;
        double maxAbs = 0;
        long nonFinite = 0;
        for (int i = 0; i < actual.length; i++) {
            if (!Float.isFinite(actual[i])) {
                nonFinite++;
                continue;
            }
            double d = (double) actual[i] - expected[i];
            diff2 += d * d;
            ref2 += (double) expected[i] * expected[i];
            maxAbs = Math.max(maxAbs, Math.abs(d));
        }
        double rel = ref2 == 0 ? Math.sqrt(diff2) : Math.sqrt(diff2 / ref2);
        if (nonFinite > 0) {
            rel = Double.POSITIVE_INFINITY;
            maxAbs = Double.POSITIVE_INFINITY;
        }
        return new ErrorStats(rel, maxAbs, actual.length, nonFinite);
    }

    /** NaN or Inf anywhere never passes. */
    public boolean within(double tolerance) {
        return nonFinite == 0 && relL2 <= tolerance;
    }
}
