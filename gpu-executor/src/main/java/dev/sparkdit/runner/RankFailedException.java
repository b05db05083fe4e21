package dev.sparkdit.runner;

/**
 * A rank of a group of several failed: the message names the rank (its index in the plan) and says what it
 * failed with; the cause is the rank's own exception. Thrown by {@link RankGroup} for plans of more than one
 * rank, so that an error from a group says which rank it came from.
 */
public final class RankFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int rank;
    private final int worldSize;

    public RankFailedException(int rank, int worldSize, Throwable cause) {
        super(describe(rank, worldSize, cause), cause);
        this.rank = rank;
        this.worldSize = worldSize;
    }

    /** {@code "rank R of W failed: <what it threw>"}: what a peer's error quotes when the library carries it. */
    public static String describe(int rank, int worldSize, Throwable cause) {
        return "rank " + rank + " of " + worldSize + " failed: " + what(cause);
    }

    public int rank() {
        return rank;
    }

    public int worldSize() {
        return worldSize;
    }

    private static String what(Throwable e) {
        String msg = e.getMessage();
        boolean plain = e.getClass().getName().startsWith("dev.sparkdit.") || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException || e instanceof java.io.IOException
                || e instanceof java.io.UncheckedIOException;
        if (msg == null || msg.isBlank()) {
            return e.getClass().getSimpleName() + (e.getCause() != null && e.getCause() != e ? " ("
                    + what(e.getCause()) + ")" : "");
        }
        return plain ? msg : e.getClass().getSimpleName() + ": " + msg;
    }
}
