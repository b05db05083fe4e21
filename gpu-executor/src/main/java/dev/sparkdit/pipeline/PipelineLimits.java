package dev.sparkdit.pipeline;

/**
 * The largest work a pipeline will be given: memory (scratch, per-image buffers) is sized for it once, before the
 * first image, so that rendering allocates nothing from the device.
 *
 * @param maxWidth          widest image, pixels
 * @param maxHeight         tallest image, pixels
 * @param maxSteps          most denoising steps of one image
 * @param maxSequenceLength T5 tokens every prompt is padded (and truncated) to: FluxPipeline's max_sequence_length
 */
public record PipelineLimits(int maxWidth, int maxHeight, int maxSteps, int maxSequenceLength) {
    /** CLIP's context: FluxPipeline pads CLIP prompts to the tokenizer's model_max_length, 77. */
    public static final int CLIP_TOKENS = 77;

    public PipelineLimits {
        new FluxLatentShape(maxHeight, maxWidth);
        if (maxSteps < 1) {
            throw new IllegalArgumentException("max steps must be >= 1, got " + maxSteps);
        }
        if (maxSequenceLength < 2 || maxSequenceLength > 4096) {
            throw new IllegalArgumentException("max sequence length must be from 2 to 4096, got " + maxSequenceLength);
        }
    }

    /** Limits that cover every request of a list (and its T5 length). */
    public static PipelineLimits of(Iterable<RenderRequest> requests, int maxSequenceLength) {
        int w = 16;
        int h = 16;
        int s = 1;
        for (RenderRequest r : requests) {
            w = Math.max(w, r.width());
            h = Math.max(h, r.height());
            s = Math.max(s, r.steps());
        }
        return new PipelineLimits(w, h, s, maxSequenceLength);
    }
}
