package dev.sparkdit.datasets;

import java.io.Serializable;

/**
 * A prompt row that passed validation, with every default filled in: exactly what one image is
 * rendered from. The configurable limits ({@link PromptLimits}) were checked by {@link PromptRules};
 * the constructor checks only what no renderer could accept.
 *
 * @param promptId unique id of the row, never blank
 * @param prompt   CLIP's prompt, never blank
 * @param prompt2  T5's prompt; equals {@code prompt} when the table had none
 * @param seed     noise seed: the row's own, or {@link PromptSeeds#derive(long, String)}
 * @param width    pixels, a positive multiple of 16
 * @param height   pixels, a positive multiple of 16
 * @param steps    denoising steps, at least 1
 * @param guidance guidance scale, finite and non-negative
 */
public record RenderRequest(String promptId, String prompt, String prompt2, long seed, int width, int height,
                            int steps, double guidance) implements CheckedPrompt, Serializable {

    private static final long serialVersionUID = 1L;

    public RenderRequest {
        requireText("prompt_id", promptId);
        requireText("prompt", prompt);
        requireText("prompt_2", prompt2);
        requireSide("width", width);
        requireSide("height", height);
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        if (!Double.isFinite(guidance) || guidance < 0) {
            throw new IllegalArgumentException("guidance must be finite and >= 0, got " + guidance);
        }
    }

    private static void requireText(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be null or blank, got " + Quote.of(value));
        }
    }

    private static void requireSide(String name, int value) {
        if (value <= 0 || value % PromptLimits.SIDE_MULTIPLE != 0) {
            throw new IllegalArgumentException(name + " must be a positive multiple of " + PromptLimits.SIDE_MULTIPLE
                    + ", got " + value);
        }
    }
}
