package dev.sparkdit.datasets;

import java.io.Serializable;

/**
 * One prompt-table row as the table holds it, before defaults and validation: every field may be null.
 * Integral columns are read as {@code Long} so that an out-of-range value in a 64-bit column reaches
 * validation (and the rejects table) as itself instead of failing a narrowing conversion.
 *
 * @param promptId the row's id (required; unique in the table)
 * @param prompt   CLIP's prompt, and T5's when {@code prompt2} is null (required)
 * @param prompt2  T5's prompt, or null for "same as {@code prompt}"
 * @param seed     noise seed, or null to derive one ({@link PromptSeeds})
 * @param width    image width in pixels, or null for the default
 * @param height   image height in pixels, or null for the default
 * @param steps    denoising steps, or null for the default
 * @param guidance guidance scale, or null for the default
 */
public record PromptRow(String promptId, String prompt, String prompt2, Long seed, Long width, Long height,
                        Long steps, Double guidance) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A row with only the required columns; everything else takes the job's defaults. */
    public static PromptRow of(String promptId, String prompt) {
        return new PromptRow(promptId, prompt, null, null, null, null, null, null);
    }
}
