package dev.sparkdit.datasets;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What a prompt row's missing values become, and the limits every value must meet. The job builds one
 * from its options; it travels to the executors inside Spark's closures, hence {@code Serializable}.
 *
 * @param seed     the job's seed: rows without a seed get {@link PromptSeeds#derive(long, String)} of it
 * @param width    default width in pixels
 * @param height   default height in pixels
 * @param steps    default denoising steps
 * @param guidance default guidance scale
 * @param limits   the allowed ranges; the defaults themselves must lie inside them
 */
public record PromptDefaults(long seed, int width, int height, int steps, double guidance, PromptLimits limits)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public PromptDefaults {
        if (limits == null) {
            throw new IllegalArgumentException("limits must not be null");
        }
        List<String> problems = new ArrayList<>();
        PromptRules.checkSide(PromptColumns.WIDTH, width, limits, problems);
        PromptRules.checkSide(PromptColumns.HEIGHT, height, limits, problems);
        PromptRules.checkSteps(steps, limits, problems);
        PromptRules.checkGuidance(guidance, limits, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("bad prompt defaults: " + String.join("; ", problems));
        }
    }

    /** Defaults within {@link PromptLimits#DEFAULT}. */
    public static PromptDefaults of(long seed, int width, int height, int steps, double guidance) {
        return new PromptDefaults(seed, width, height, steps, guidance, PromptLimits.DEFAULT);
    }
}
