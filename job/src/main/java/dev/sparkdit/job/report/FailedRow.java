package dev.sparkdit.job.report;

/** A failed row as the page lists it. */
public record FailedRow(String promptId, int group, String host, int attempt, String error) {
}
