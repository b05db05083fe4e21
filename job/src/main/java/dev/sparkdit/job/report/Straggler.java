package dev.sparkdit.job.report;

/** One of a run's slowest ok images: where it ran and its {@code total_ms}; {@code index} is its place in its group. */
public record Straggler(String promptId, int group, String host, int index, double totalMs) {
}
