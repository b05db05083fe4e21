package dev.sparkdit.datasets;

import java.util.List;

/**
 * Column names of the prompt table and of the rejects table, in their written order. Spark and the
 * Spark-free code both use these, so a name is spelled once.
 */
public final class PromptColumns {

    private PromptColumns() {
    }

    public static final String PROMPT_ID = "prompt_id";
    public static final String PROMPT = "prompt";
    /** T5's prompt (diffusers' {@code prompt_2}); null means "the same as {@code prompt}". */
    public static final String PROMPT_2 = "prompt_2";
    public static final String SEED = "seed";
    public static final String WIDTH = "width";
    public static final String HEIGHT = "height";
    public static final String STEPS = "steps";
    public static final String GUIDANCE = "guidance";
    /** Rejects table only: why the row was rejected. */
    public static final String REASON = "reason";

    /** The prompt table's columns (also the render requests' and, before {@link #REASON}, the rejects'). */
    public static final List<String> ALL = List.of(PROMPT_ID, PROMPT, PROMPT_2, SEED, WIDTH, HEIGHT, STEPS, GUIDANCE);
    /** Columns a prompt table must have; the others may be missing and take defaults. */
    public static final List<String> REQUIRED = List.of(PROMPT_ID, PROMPT);
}
