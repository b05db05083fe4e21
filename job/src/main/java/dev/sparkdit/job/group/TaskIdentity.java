package dev.sparkdit.job.group;

import java.io.Serializable;
import java.util.List;

/**
 * Where a group runs, for its result rows: the lead's host, the GPUs of every rank of the group, the group's index and
 * the stage attempt (0 first, then 1, 2 ... for Spark's retries).
 */
public record TaskIdentity(String host, List<Integer> gpuIds, int group, int attempt) implements Serializable {
    private static final long serialVersionUID = 1L;

    public TaskIdentity {
        gpuIds = List.copyOf(gpuIds);
    }
}
