package dev.sparkdit.usp.comm;

import java.util.Optional;

/**
 * Opens {@link PeerWindow}s over a communicator's group where its ranks can reach each other's memory
 * (on GPUs: ranks that are threads of one process, each on its own GPU, with peer access between every
 * pair). The windows opened belong to the factory, which closes them.
 */
public interface PeerWindows extends AutoCloseable {

    /** For backends or groups where ranks cannot store into each other's memory. */
    PeerWindows NONE = (comm, bytes) -> Optional.empty();

    /**
     * Collective over {@code comm}'s group: every rank calls it with the same {@code bytes}, outside any
     * CUDA graph capture, and every rank gets a window or every rank gets none.
     *
     * @return empty when the group's ranks cannot store into each other's memory
     */
    Optional<PeerWindow> open(Communicator comm, long bytes);

    /** After a failure: wakes peers waiting at a window's barrier so that they fail fast. Idempotent. */
    default void abort() {
    }

    /** Closes the windows opened. */
    @Override
    default void close() {
    }
}
