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
 * @param fault       tests only ({@code --inject-fault}): a rank that fails on purpose; null in real runs
 */
public record JobRequest(String prompts, String output, String model, int groups, int ranksPerGroup, int ulysses,
                         int ring, Map<String, String> flagOptions, long seed, int width, int height, Integer steps,
                         double guidance, int maxSequenceLength, boolean resume, OnBadRow onBadRow,
                         FaultInjection fault) {

    /** A real run: no fault injected. */
    public JobRequest(String prompts, String output, String model, int groups, int ranksPerGroup, int ulysses,
                      int ring, Map<String, String> flagOptions, long seed, int width, int height, Integer steps,
                      double guidance, int maxSequenceLength, boolean resume, OnBadRow onBadRow) {
        this(prompts, output, model, groups, ranksPerGroup, ulysses, ring, flagOptions, seed, width, height, steps,
                guidance, maxSequenceLength, resume, onBadRow, null);
    }

    /** This request with {@code f} injected (tests). */
    public JobRequest withFault(FaultInjection f) {
        return new JobRequest(prompts, output, model, groups, ranksPerGroup, ulysses, ring, flagOptions, seed, width,
                height, steps, guidance, maxSequenceLength, resume, onBadRow, f);
    }
}
