package dev.sparkdit.backend;

/**
 * A point in a backend's stream of work: {@link #record} marks "after everything enqueued so far", and
 * {@link #elapsedMs} measures device time between two such points (CUDA events; on the CPU, whose ops
 * finish before they return, the wall clock).
 */
public interface DeviceEvent extends AutoCloseable {
    void record();

    /** Blocks until the work before this event is done. */
    void synchronize();

    /** Milliseconds from {@code start} to this event; waits for this event first. */
    double elapsedMs(DeviceEvent start);

    @Override
    void close();
}
