package dev.sparkdit.job.cli;

import dev.sparkdit.cli.UsageException;
import dev.sparkdit.datasets.PromptDefaults;
import picocli.CommandLine.Option;

/** The generation settings a prompt row without its own takes (the prompt table's optional columns). */
public final class PromptDefaultsMixin {
    @Option(names = "--seed", defaultValue = "0", description = "job seed: a row without a seed gets one derived from"
            + " this and its prompt_id (docs/datasets.md; default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--width", defaultValue = "1024", description = "pixels, for rows without a width, a multiple of"
            + " 16 (default: ${DEFAULT-VALUE})")
    int width;

    @Option(names = "--height", defaultValue = "1024", description = "pixels, for rows without a height (default:"
            + " ${DEFAULT-VALUE})")
    int height;

    @Option(names = "--steps", description = "denoising steps for rows without steps (default: 28 for a model with"
            + " guidance (dev), 4 without (schnell))")
    Integer steps;

    @Option(names = "--guidance", defaultValue = "3.5", description = "guidance for rows without one; schnell ignores"
            + " it (default: ${DEFAULT-VALUE})")
    double guidance;

    @Option(names = "--max-sequence-length", defaultValue = "512", paramLabel = "N",
            description = "T5 tokens per prompt, padded and truncated (default: ${DEFAULT-VALUE})")
    int maxSequenceLength;

    /** The defaults; {@code usesGuidance} picks the steps default of the model. */
    public PromptDefaults defaults(boolean usesGuidance) {
        try {
            return PromptDefaults.of(seed, width, height, steps != null ? steps : usesGuidance ? 28 : 4, guidance);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
