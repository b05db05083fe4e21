package dev.sparkdit.cuda;

import dev.sparkdit.backend.StepGraphs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Steps captured once per key into a {@link CudaGraph} and replayed after: the first {@link #run} of a key
 * captures the step and launches it, later runs only launch.
 */
public final class CudaStepGraphs implements StepGraphs {
    private final CudaStream stream;
    private final Map<Object, CudaGraph> graphs = new LinkedHashMap<>();

    public CudaStepGraphs(CudaStream stream) {
        this.stream = stream;
    }

    @Override
    public void run(Object key, Runnable step) {
        CudaGraph g = graphs.get(key);
        if (g == null) {
            g = CudaGraph.capture(stream, step);
            graphs.put(key, g);
        }
        g.launch(stream);
    }

    @Override
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
