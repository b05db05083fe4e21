package dev.sparkdit.job.report;

/**
 * The spread of the {@code step_ms} entries of one group or one host of a run (every entry of every row, ok and
 * failed: a step that ran was timed either way).
 *
 * @param key    the group index as text, or the host name
 * @param detail what else identifies it: a group's host(s) and plan, a host's groups
 * @param spread the entries' percentiles
 */
public record StepSpread(String key, String detail, Percentiles spread) {
}
