package dev.sparkdit.job.spark;

import dev.sparkdit.datasets.OnBadRow;
import dev.sparkdit.job.group.FaultInjection;

import java.util.Map;

/**
 * A {@code sparkdit run} as the command line gave it.
 *
 * @param flagOptions the run options given as flags ({@code sparkdit.*} keys); they win over the same keys set as
 *                    {@code spark.sparkdit.*} in the Spark configuration
 * @param steps       the steps default, or null for the model's (28 with guidance, 4 without)
 * @param limit       render only the first this many valid prompts in prompt_id order; 0: all of them
 * @param fault       tests only ({@code --inject-fault}): a rank that fails on purpose; null in real runs
 */
public record JobRequest(String prompts, String output, String model, int groups, int ranksPerGroup, int ulysses,
                         int ring, Map<String, String> flagOptions, long seed, int width, int height, Integer steps,
                         double guidance, int maxSequenceLength, boolean resume, OnBadRow onBadRow, int limit,
                         FaultInjection fault) {
    public JobRequest {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0 (0: every prompt), got " + limit);
        }
    }

    /** A real run with a limit: no fault injected. */
    public JobRequest(String prompts, String output, String model, int groups, int ranksPerGroup, int ulysses,
                      int ring, Map<String, String> flagOptions, long seed, int width, int height, Integer steps,
                      double guidance, int maxSequenceLength, boolean resume, OnBadRow onBadRow, int limit) {
        this(prompts, output, model, groups, ranksPerGroup, ulysses, ring, flagOptions, seed, width, height, steps,
                guidance, maxSequenceLength, resume, onBadRow, limit, null);
    }

    /** Every prompt of the table (no limit), no fault injected. */
    public JobRequest(String prompts, String output, String model, int groups, int ranksPerGroup, int ulysses,
                      int ring, Map<String, String> flagOptions, long seed, int width, int height, Integer steps,
                      double guidance, int maxSequenceLength, boolean resume, OnBadRow onBadRow) {
        this(prompts, output, model, groups, ranksPerGroup, ulysses, ring, flagOptions, seed, width, height, steps,
                guidance, maxSequenceLength, resume, onBadRow, 0, null);
    }

    /** This request with {@code f} injected (tests). */
    public JobRequest withFault(FaultInjection f) {
        return new JobRequest(prompts, output, model, groups, ranksPerGroup, ulysses, ring, flagOptions, seed, width,
                height, steps, guidance, maxSequenceLength, resume, onBadRow, limit, f);
    }
}
