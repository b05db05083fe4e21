package dev.sparkdit.pipeline;

/**
 * Where one image's time went, in milliseconds: device time (events) for the GPU stages, wall time for the host
 * ones. {@code totalMs} runs from the request's start to its image being written.
 */
public record RenderTimings(double tokenizeMs, double textEncodeMs, double[] stepMs, double denoiseMs, double decodeMs,
                            double writeMs, double totalMs) {
    public RenderTimings {
        stepMs = stepMs.clone();
    }

    @Override
    public double[] stepMs() {
        return stepMs.clone();
    }

    public RenderTimings withWrite(double writeMs, double totalMs) {
        return new RenderTimings(tokenizeMs, textEncodeMs, stepMs, denoiseMs, decodeMs, writeMs, totalMs);
    }
}
