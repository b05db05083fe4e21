package dev.sparkdit.pipeline;

/**
 * One image to render: the prompt(s) and every generation setting, already resolved (no defaults left open).
 *
 * @param id       the caller's name for it (a prompt table's prompt_id, or the prompt's index)
 * @param prompt   CLIP's prompt
 * @param prompt2  T5's prompt (FluxPipeline's {@code prompt_2}); null means the same as {@code prompt}
 * @param seed     the initial noise's seed ({@link SeededNoise})
 * @param width    pixels, a positive multiple of 16
 * @param height   pixels, a positive multiple of 16
 * @param steps    denoising steps
 * @param guidance FLUX.1-dev's distilled guidance scale (schnell ignores it)
 */
public record RenderRequest(String id, String prompt, String prompt2, long seed, int width, int height, int steps,
                            double guidance) {
    public RenderRequest {
        if (prompt == null) {
            throw new IllegalArgumentException("render request " + id + ": prompt must not be null");
        }
        new FluxLatentShape(height, width);
        if (steps < 1) {
            throw new IllegalArgumentException("render request " + id + ": steps must be >= 1, got " + steps);
        }
        if (!Double.isFinite(guidance)) {
            throw new IllegalArgumentException("render request " + id + ": guidance must be finite, got " + guidance);
        }
    }

    /** T5's prompt. */
    public String t5Prompt() {
        return prompt2 != null ? prompt2 : prompt;
    }
}
