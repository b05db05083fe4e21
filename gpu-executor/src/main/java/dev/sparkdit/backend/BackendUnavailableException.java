package dev.sparkdit.backend;

/** A backend was asked for that this build or machine cannot run; the message says what is missing. */
public final class BackendUnavailableException extends RuntimeException {
    public BackendUnavailableException(String message) {
        super(message);
    }
}
