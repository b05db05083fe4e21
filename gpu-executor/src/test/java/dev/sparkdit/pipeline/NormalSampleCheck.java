package dev.sparkdit.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * Moment, tail and lag-1 correlation checks of a sample against the standard normal, each at five
 * standard errors, so a correct generator fails one with probability ~1e-6 per check.
 */
final class NormalSampleCheck {
    /** P(|Z| > 1), P(|Z| > 2), P(|Z| > 3) for a standard normal Z. */
    private static final double[] TAIL = {0.31731050786291415, 0.04550026389635842, 0.0026997960632601866};

    private NormalSampleCheck() {
    }

    static List<String> failures(float[] z) {
        int n = z.length;
        double sum = 0;
        for (float v : z) {
            sum += v;
        }
        double mean = sum / n;
        double m2 = 0;
        double m3 = 0;
        double m4 = 0;
        double lag = 0;
        int[] beyond = new int[3];
        for (int i = 0; i < n; i++) {
            double d = z[i] - mean;
            m2 += d * d;
            m3 += d * d * d;
            m4 += d * d * d * d;
            if (i > 0) {
                lag += d * (z[i - 1] - mean);
            }
            double a = Math.abs(z[i]);
            for (int k = 0; k < 3; k++) {
                beyond[k] += a > k + 1 ? 1 : 0;
            }
        }
        double var = m2 / n;
        List<String> out = new ArrayList<>();
        within(out, "mean", mean, 0, 1 / Math.sqrt(n));
        within(out, "variance", var, 1, Math.sqrt(2.0 / n));
        within(out, "skewness", m3 / n / Math.pow(var, 1.5), 0, Math.sqrt(6.0 / n));
        within(out, "excess kurtosis", m4 / n / (var * var) - 3, 0, Math.sqrt(24.0 / n));
        within(out, "lag-1 correlation", lag / m2, 0, 1 / Math.sqrt(n));
        for (int k = 0; k < 3; k++) {
            double p = TAIL[k];
            within(out, "fraction beyond " + (k + 1) + " sigma", (double) beyond[k] / n, p, Math.sqrt(p * (1 - p) / n));
        }
        return out;
    }

    private static void within(List<String> out, String what, double got, double expected, double standardError) {
        if (!(Math.abs(got - expected) <= 5 * standardError)) {
            out.add(String.format("%s = %.6g, expected %.6g +- %.3g (5 standard errors)", what, got, expected,
                    5 * standardError));
        }
    }
}
