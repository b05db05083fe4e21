package dev.sparkdit.datasets;

import java.io.Serializable;

/**
 * A prompt row that failed validation: its original values as text (null where the table had null or
 * no column) and every reason it failed, joined by {@code "; "}.
 *
 * @param promptId the row's id as given; null when the row had none
 * @param prompt   original prompt
 * @param prompt2  original prompt_2
 * @param seed     original seed, as text
 * @param width    original width, as text
 * @param height   original height, as text
 * @param steps    original steps, as text
 * @param guidance original guidance, as text
 * @param reason   why the row was rejected, never blank
 */
public record RejectedPrompt(String promptId, String prompt, String prompt2, String seed, String width,
                             String height, String steps, String guidance, String reason)
        implements CheckedPrompt, Serializable {

    private static final long serialVersionUID = 1L;

    public RejectedPrompt {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a rejected prompt needs a reason, got " + Quote.of(reason));
        }
    }

    /** The row's original values, with {@code reason}. */
    public static RejectedPrompt of(PromptRow row, String reason) {
        return new RejectedPrompt(row.promptId(), row.prompt(), row.prompt2(), text(row.seed()), text(row.width()),
                text(row.height()), text(row.steps()), text(row.guidance()), reason);
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    /** One line for a log or an exception: the id and the reason. */
    public String describe() {
        return "prompt_id " + Quote.of(promptId) + ": " + reason;
    }
}
