package dev.sparkdit.gputest;

/**
 * One numerical check that needs a GPU. {@link #run()} throws {@link AssertionError} naming the measured
 * error and the tolerance when the check fails. Runs from the GPU bundle, which has no libtorch: checks
 * use plain-Java references only.
 */
public interface GpuCheck {
    String name();

    void run() throws Exception;
}
