package dev.sparkdit.job.report;

import java.util.Locale;

/**
 * A linear axis from {@code min} to {@code max} with ticks every {@code step}, a "nice" step of 1, 2 or 5 times a
 * power of ten chosen so that about {@code ticks} intervals cover the data (Heckbert's labelling).
 */
record Scale(double min, double max, double step) {

    Scale {
        if (!(max > min) || !(step > 0) || !Double.isFinite(min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException("a scale needs finite min < max and step > 0, got " + min + ".." + max
                    + " by " + step);
        }
    }

    /** From 0 (or below, for negative data) to just above {@code dataMax}. */
    static Scale fromZero(double dataMax, int ticks) {
        return covering(0, dataMax, ticks);
    }

    static Scale covering(double dataMin, double dataMax, int ticks) {
        if (!Double.isFinite(dataMin) || !Double.isFinite(dataMax)) {
            dataMin = 0;
            dataMax = 1;
        }
        if (dataMax <= dataMin) {
            dataMax = dataMin + (dataMin == 0 ? 1 : Math.abs(dataMin));
        }
        double step = nice((dataMax - dataMin) / Math.max(1, ticks));
        double lo = Math.floor(dataMin / step) * step;
        double hi = Math.ceil(dataMax / step) * step;
        if (hi <= lo) {
            hi = lo + step;
        }
        return new Scale(lo, hi, step);
    }

    /** 1, 2 or 5 times a power of ten, the smallest at least {@code raw}. */
    static double nice(double raw) {
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / power;
        double n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return n * power;
    }

    double[] ticks() {
        int n = (int) Math.round((max - min) / step);
        double[] t = new double[n + 1];
        for (int i = 0; i <= n; i++) {
            t[i] = min + i * step;
        }
        return t;
    }

    /** 0..1 along the axis. */
    double fraction(double v) {
        return (v - min) / (max - min);
    }

    /** A tick's label: thousands grouped, as many decimals as the step needs. */
    String label(double v) {
        int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
        return String.format(Locale.ROOT, "%,." + decimals + "f", Math.abs(v) < step * 1e-9 ? 0.0 : v);
    }
}
