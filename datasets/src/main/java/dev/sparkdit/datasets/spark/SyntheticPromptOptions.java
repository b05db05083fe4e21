package dev.sparkdit.datasets.spark;

import dev.sparkdit.datasets.PromptColumns;
import dev.sparkdit.datasets.PromptLimits;

/**
 * What {@code sparkdit make-prompts} asks for.
 *
 * @param rows      how many rows, at least 1
 * @param out       where the Parquet table goes (a folder; Hadoop paths such as {@code s3a://} work)
 * @param seed      picks the prompts; the same seed gives the same table
 * @param width     every row's width, or null to leave the column null (the job's default applies)
 * @param height    every row's height, or null likewise
 * @param steps     every row's steps, or null likewise
 * @param overwrite replace an existing table at {@code out} instead of failing
 */
public record SyntheticPromptOptions(long rows, String out, long seed, Integer width, Integer height, Integer steps,
                                     boolean overwrite) {

    /** Checked against the default limits early, so a bad flag fails here rather than as N rejects. */
    public SyntheticPromptOptions {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        }
        if (out == null || out.isBlank()) {
            throw new IllegalArgumentException("out must name a path, got " + (out == null ? "null" : "'" + out + "'"));
        }
        checkSide(PromptColumns.WIDTH, width);
        checkSide(PromptColumns.HEIGHT, height);
        PromptLimits limits = PromptLimits.DEFAULT;
        if (steps != null && (steps < limits.minSteps() || steps > limits.maxSteps())) {
            throw new IllegalArgumentException("steps " + steps + " is outside " + limits.minSteps() + ".."
                    + limits.maxSteps());
        }
    }

    /** N rows at {@code out} with seed 0 and the job's defaults for everything else. */
    public static SyntheticPromptOptions of(long rows, String out) {
        return new SyntheticPromptOptions(rows, out, 0L, null, null, null, false);
    }

    private static void checkSide(String name, Integer value) {
        PromptLimits limits = PromptLimits.DEFAULT;
        if (value != null && (value % PromptLimits.SIDE_MULTIPLE != 0 || value < limits.minSide()
                || value > limits.maxSide())) {
            throw new IllegalArgumentException(name + " " + value + " must be a multiple of "
                    + PromptLimits.SIDE_MULTIPLE + " in " + limits.minSide() + ".." + limits.maxSide());
        }
    }
}
