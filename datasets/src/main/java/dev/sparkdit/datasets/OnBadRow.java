package dev.sparkdit.datasets;

/** What the job does with a prompt row that fails validation. */
public enum OnBadRow {
    /** Write the row to the rejects table and render the rest. */
    REJECT,
    /** Fail the job before rendering anything, listing the first bad rows and their count. */
    FAIL
}
