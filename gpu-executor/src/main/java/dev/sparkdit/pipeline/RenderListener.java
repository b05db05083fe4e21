package dev.sparkdit.pipeline;

/**
 * Progress of a render: {@link #stepDone} on the lead rank for each finished denoising step, and
 * {@link #rankStepDone} on every rank. Called on the rendering thread.
 */
@FunctionalInterface
public interface RenderListener {
    RenderListener NONE = (request, step, steps, ms) -> { };

    /** On the lead rank only, as each step ends, with the step's device time. */
    void stepDone(RenderRequest request, int step, int steps, double ms);

    /**
     * On every rank of the group (the lead too, before {@link #stepDone}), as each step ends. What it throws fails
     * the render on this rank alone, the others waiting in the next collective: tests inject a rank's failure here.
     */
    default void rankStepDone(RenderRequest request, int step, int steps) {
    }
}
