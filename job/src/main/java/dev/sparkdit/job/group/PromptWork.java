package dev.sparkdit.job.group;

import dev.sparkdit.datasets.ImageNames;
import dev.sparkdit.pipeline.RenderRequest;

import java.io.Serializable;

/**
 * One prompt as a group works on it: the validated request (prompt table row with its defaults filled) and the safe
 * file name its image and result row are stored under ({@link ImageNames}: derived from the prompt id, never the id
 * itself).
 */
public record PromptWork(dev.sparkdit.datasets.RenderRequest row) implements Serializable {
    private static final long serialVersionUID = 1L;

    public String promptId() {
        return row.promptId();
    }

    /** {@code <prefix>-<sha256>.png}: no separators, no {@code ..}, bounded, collision-free. */
    public String imageName() {
        return ImageNames.fileName(row.promptId());
    }

    /** The row sidecar's name: the image's name with {@code .json} instead of {@code .png}. */
    public String rowName() {
        String image = imageName();
        return image.substring(0, image.length() - ImageNames.EXTENSION.length()) + ".json";
    }

    /** The pipeline's request. */
    public RenderRequest request() {
        return new RenderRequest(row.promptId(), row.prompt(), row.prompt2(), row.seed(), row.width(), row.height(),
                row.steps(), row.guidance());
    }
}
