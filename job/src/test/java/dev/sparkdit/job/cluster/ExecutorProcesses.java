package dev.sparkdit.job.cluster;

import java.util.List;

/** The Spark executor JVMs (CoarseGrainedExecutorBackend) among a process's descendants. */
public final class ExecutorProcesses {
    private ExecutorProcesses() {
    }

    public static List<ProcessHandle> under(ProcessHandle parent) {
        return parent.descendants().filter(h -> h.info().arguments().map(
                a -> List.of(a).contains("org.apache.spark.executor.CoarseGrainedExecutorBackend")).orElse(false))
                .toList();
    }
}
