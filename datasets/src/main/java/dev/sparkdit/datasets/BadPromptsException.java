package dev.sparkdit.datasets;

import java.util.List;

/**
 * A prompt table has bad rows and the job's policy is {@link OnBadRow#FAIL}: the message gives the
 * total count and the first rows with their reasons.
 */
public final class BadPromptsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** How many bad rows a message lists; the count covers them all. */
    public static final int MAX_LISTED = 20;

    private final long badRows;
    private final List<RejectedPrompt> listed;

    /**
     * @param source  where the rows came from (a path), for the message
     * @param badRows how many rows failed in total
     * @param listed  the first of them (at most {@link #MAX_LISTED} are shown)
     */
    public BadPromptsException(String source, long badRows, List<RejectedPrompt> listed) {
        super(message(source, badRows, listed));
        this.badRows = badRows;
        this.listed = List.copyOf(listed.subList(0, Math.min(listed.size(), MAX_LISTED)));
    }

    public long badRows() {
        return badRows;
    }

    /** The rows the message lists. */
    public List<RejectedPrompt> listed() {
        return listed;
    }

    private static String message(String source, long badRows, List<RejectedPrompt> listed) {
        int shown = Math.min(listed.size(), MAX_LISTED);
        StringBuilder sb = new StringBuilder();
        sb.append(badRows).append(badRows == 1 ? " bad row" : " bad rows").append(" in prompt table ").append(source)
                .append(" (on bad row: fail)");
        if (shown < badRows) {
            sb.append("; the first ").append(shown);
        }
        sb.append(':');
        for (int i = 0; i < shown; i++) {
            sb.append("\n  ").append(listed.get(i).describe());
        }
        return sb.toString();
    }
}
