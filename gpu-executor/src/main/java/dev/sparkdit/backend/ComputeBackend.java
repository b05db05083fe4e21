package dev.sparkdit.backend;

import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;

/**
 * A device's compute: its {@link Ops} plus the long-lived memory (weights, inputs, outputs) that
 * outlives one step. Arenas handed out are freed when the backend closes.
 */
public interface ComputeBackend extends AutoCloseable {
    String name();

    Ops ops();

    /** Reserves {@code bytes} of this device's memory up front as a new arena. */
    Arena reserve(String name, long bytes);

    @Override
    void close();
}
