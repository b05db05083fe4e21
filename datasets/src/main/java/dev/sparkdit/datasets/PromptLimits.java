package dev.sparkdit.datasets;

import java.io.Serializable;

/**
 * The ranges a prompt row's values must fall in (bounds inclusive). Sides must also be multiples of
 * {@link #SIDE_MULTIPLE}: FLUX's VAE halves the image three times and the transformer packs 2 x 2 latent
 * patches, so a side that is not a multiple of 16 cannot be rendered.
 *
 * @param minSide     smallest width or height in pixels
 * @param maxSide     largest width or height in pixels
 * @param minSteps    fewest denoising steps
 * @param maxSteps    most denoising steps
 * @param minGuidance smallest guidance scale
 * @param maxGuidance largest guidance scale
 */
public record PromptLimits(int minSide, int maxSide, int minSteps, int maxSteps, double minGuidance,
                           double maxGuidance) implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final int SIDE_MULTIPLE = 16;

    /** 16..4096 pixels a side, 1..1000 steps, guidance 0..100. */
    public static final PromptLimits DEFAULT = new PromptLimits(16, 4096, 1, 1000, 0.0, 100.0);

    public PromptLimits {
        if (minSide < 1 || maxSide < minSide) {
            throw new IllegalArgumentException("side limits must satisfy 1 <= min <= max, got " + minSide + ".."
                    + maxSide);
        }
        if (minSteps < 1 || maxSteps < minSteps) {
            throw new IllegalArgumentException("step limits must satisfy 1 <= min <= max, got " + minSteps + ".."
                    + maxSteps);
        }
        if (!Double.isFinite(minGuidance) || !Double.isFinite(maxGuidance) || minGuidance < 0
                || maxGuidance < minGuidance) {
            throw new IllegalArgumentException("guidance limits must be finite with 0 <= min <= max, got "
                    + minGuidance + ".." + maxGuidance);
        }
    }
}
