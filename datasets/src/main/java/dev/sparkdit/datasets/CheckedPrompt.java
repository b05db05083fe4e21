package dev.sparkdit.datasets;

/**
 * What validating one prompt row gives: a {@link RenderRequest} ready to render, or a
 * {@link RejectedPrompt} saying why not.
 */
public sealed interface CheckedPrompt permits RenderRequest, RejectedPrompt {

    /** The row's id; null only for a row rejected for having no id. */
    String promptId();
}
