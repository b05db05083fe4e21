package dev.sparkdit.job.group;

import dev.sparkdit.options.RunOptions;
import dev.sparkdit.pipeline.PipelineLimits;
import dev.sparkdit.usp.ParallelPlan;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every task of a render needs to know, built once by the driver (or render-group) and shipped with the tasks:
 * the model, the run options (as their {@code sparkdit.*} map, so that tasks rebuild the same record), the layout of
 * the groups and the limits memory is sized for.
 *
 * @param model      a model folder path (local, or visible to every executor), or {@code random:PRESET}
 * @param options    {@link RunOptions#toMap()}
 * @param groups     groups rendering side by side
 * @param ulysses    Ulysses degree inside a group
 * @param ring       Ring degree inside a group
 * @param maxWidth   widest image of the run
 * @param maxHeight  tallest image of the run
 * @param maxSteps   most steps of an image of the run
 * @param maxSequenceLength T5 tokens every prompt is padded to
 * @param fault      tests only: a rank that fails on purpose ({@link FaultInjection}); null in real runs
 */
public record JobSettings(String model, Map<String, String> options, int groups, int ulysses, int ring, int maxWidth,
                          int maxHeight, int maxSteps, int maxSequenceLength, FaultInjection fault)
        implements Serializable {
    private static final long serialVersionUID = 2L;

    /** Settings of a real run: no fault injected. */
    public JobSettings(String model, Map<String, String> options, int groups, int ulysses, int ring, int maxWidth,
                       int maxHeight, int maxSteps, int maxSequenceLength) {
        this(model, options, groups, ulysses, ring, maxWidth, maxHeight, maxSteps, maxSequenceLength, null);
    }

    public JobSettings {
        options = new LinkedHashMap<>(options);
        if (groups < 1 || ulysses < 1 || ring < 1) {
            throw new IllegalArgumentException("groups " + groups + ", ulysses " + ulysses + " and ring " + ring
                    + " must all be >= 1");
        }
        RunOptions.from(options);
        new PipelineLimits(maxWidth, maxHeight, maxSteps, maxSequenceLength);
    }

    public RunOptions runOptions() {
        return RunOptions.from(options);
    }

    public int ranksPerGroup() {
        return ulysses * ring;
    }

    public int tasks() {
        return groups * ranksPerGroup();
    }

    public PipelineLimits limits() {
        return new PipelineLimits(maxWidth, maxHeight, maxSteps, maxSequenceLength);
    }

    /** Every group as one data-parallel replica of one plan; hosts are handled by {@link GroupPlacement}. */
    public ParallelPlan plan() {
        return ParallelPlan.of(tasks(), ulysses, ring, tasks());
    }

    /** What a cached executor model depends on: the same key can serve a later task or attempt. */
    public String weightsKey() {
        return model + " " + options + " " + maxWidth + "x" + maxHeight + " " + maxSequenceLength + " u" + ulysses
                + " r" + ring;
    }
}
