package dev.sparkdit.job.report;

import java.util.Arrays;

/**
 * The spread of a set of times: the 5th, 25th, 50th, 75th and 95th percentiles, the mean and the extremes.
 * Percentiles interpolate linearly between the two nearest ranks (numpy's default, Hyndman and Fan's type 7):
 * the q-th of n sorted values x[0..n-1] is x[h] with h = q (n - 1), a fractional h weighing its two neighbours.
 *
 * @param count number of values (at least 1)
 */
public record Percentiles(int count, double p5, double p25, double p50, double p75, double p95, double mean,
                          double min, double max) {

    public Percentiles {
        if (count < 1) {
            throw new IllegalArgumentException("percentiles of " + count + " values");
        }
    }

    /** The spread of {@code values} (not changed); null when there are none. */
    public static Percentiles of(double[] values) {
        if (values.length == 0) {
            return null;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (double v : sorted) {
            sum += v;
        }
        return new Percentiles(sorted.length, at(sorted, 0.05), at(sorted, 0.25), at(sorted, 0.5), at(sorted, 0.75),
                at(sorted, 0.95), sum / sorted.length, sorted[0], sorted[sorted.length - 1]);
    }

    /** The q-quantile (0 <= q <= 1) of sorted values, linearly interpolated. */
    static double at(double[] sorted, double q) {
        if (sorted.length == 0 || q < 0 || q > 1) {
            throw new IllegalArgumentException("quantile " + q + " of " + sorted.length + " values");
        }
        double h = q * (sorted.length - 1);
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
