package dev.sparkdit.cuda;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Denoising steps captured once per key (the step's shapes and dtype) and replayed after: the first
 * {@link #run} of a key captures the step into a {@link CudaGraph} and launches it, later runs only
 * launch. A step must allocate nothing from the device and take every per-step value (timestep,
 * latents) from device memory that stays at the same address, which the arenas guarantee.
 */
public final class StepGraphs implements AutoCloseable {
    /** What makes two steps the same graph. */
    public record Key(long textTokens, long imageTokens, String dtype, String parallel) {
    }

    private final CudaStream stream;
    private final Map<Key, CudaGraph> graphs = new LinkedHashMap<>();

    public StepGraphs(CudaStream stream) {
        this.stream = stream;
    }

    /** Replays the step captured for {@code key}, capturing {@code step} first if there is none. */
    public void run(Key key, Runnable step) {
        CudaGraph g = graphs.get(key);
        if (g == null) {
            g = CudaGraph.capture(stream, step);
            graphs.put(key, g);
        }
        g.launch(stream);
    }

    public int size() {
        return graphs.size();
    }

    @Override
    public void close() {
        for (CudaGraph g : graphs.values()) {
            g.close();
        }
        graphs.clear();
    }
}
