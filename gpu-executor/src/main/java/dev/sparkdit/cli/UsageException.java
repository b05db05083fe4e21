package dev.sparkdit.cli;

/** The command line is wrong; the message names the bad value. Exit status 2. */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
