package dev.sparkdit.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file is not a well-formed safetensors file (or holds something this reader cannot map). The message
 * starts with the file's path and names the problem and the values involved, e.g.
 * {@code /ckpt/a.safetensors: tensor 'w' has data_offsets [0, 12] (12 bytes) but shape [2, 2] of F32
 * needs 16 bytes}.
 */
public final class SafetensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;

    public SafetensorsFormatException(Path file, String problem) {
        this(file, problem, null);
    }

    public SafetensorsFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    public Path file() {
        return file;
    }

    /** The message without the file prefix. */
    public String problem() {
        return problem;
    }
}
