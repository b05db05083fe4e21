package dev.sparkdit.backend;

/**
 * Denoising steps captured once per key (the step's shapes) and replayed after: a step must allocate
 * nothing from the device and take every per-step value (timestep, latents) from device memory that stays at
 * the same address, which the arenas guarantee. Backends without graphs run every step as it comes.
 */
public interface StepGraphs extends AutoCloseable {
    /** Runs {@code step} for {@code key}: the first time captured and launched, later only launched. */
    void run(Object key, Runnable step);

    /** Keys captured so far. */
    int size();

    @Override
    void close();

    /** Steps without graphs: each run runs the step. */
    static StepGraphs eager() {
        return new StepGraphs() {
            private final java.util.Set<Object> seen = new java.util.HashSet<>();

            @Override
            public void run(Object key, Runnable step) {
                seen.add(key);
                step.run();
            }

            @Override
            public int size() {
                return seen.size();
            }

            @Override
            public void close() {
                seen.clear();
            }
        };
    }
}
