package dev.sparkdit.job.report;

/**
 * A group's {@code total_ms} in the order its rows are in the table (the order the group wrote them): entry i is
 * the group's i-th request, NaN where that request failed.
 */
record GroupTimes(int group, double[] totalMs) {
}
