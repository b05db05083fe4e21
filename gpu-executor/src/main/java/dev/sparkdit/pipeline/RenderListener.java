package dev.sparkdit.pipeline;

/** Progress of a render on the lead rank: each finished denoising step. Called on the rendering thread. */
@FunctionalInterface
public interface RenderListener {
    RenderListener NONE = (request, step, steps, ms) -> { };

    void stepDone(RenderRequest request, int step, int steps, double ms);
}
