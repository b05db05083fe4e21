package dev.sparkdit.job.report;

import java.util.List;

/**
 * Mean milliseconds per stage over a run's ok rows (a failed row records 0 for the stages it never reached, which
 * would pull the means down). {@code other} is what {@code total_ms} holds beyond the five stages (hand-offs,
 * queueing for the image writer); it is 0 when the stages add up to more than the total, as they do when an
 * image's write overlaps the next render.
 *
 * @param count rows averaged (ok rows, at least 1)
 */
public record StageMeans(long count, double tokenizeMs, double textEncodeMs, double denoiseMs, double decodeMs,
                         double writeMs, double totalMs, double loadMs) {

    /** The stacked stages, bottom to top, as the chart draws them. */
    public static final List<String> NAMES = List.of("tokenize", "text encode", "denoise", "decode", "write");

    /** {@link #NAMES}' values, in that order. */
    public double[] stages() {
        return new double[] {tokenizeMs, textEncodeMs, denoiseMs, decodeMs, writeMs};
    }

    public double otherMs() {
        double sum = 0;
        for (double v : stages()) {
            sum += v;
        }
        return Math.max(0, totalMs - sum);
    }
}
