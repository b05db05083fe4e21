package dev.sparkdit.usp.comm;

/**
 * A collective failed, timed out or was aborted. The message names the library ({@code nccl},
 * {@code gloo}, {@code rendezvous}), the call, the status and the values involved.
 */
public class CommunicationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CommunicationException(String message) {
        super(message);
    }

    public CommunicationException(String message, Throwable cause) {
        super(message, cause);
    }
}
