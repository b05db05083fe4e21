package dev.sparkdit.tokenizers;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A tokenizer file is missing, malformed, or declares something this package does not implement. The
 * message starts with the file (or, when no file was found, the folder) and names the problem and the
 * values involved, e.g. {@code /m/tokenizer/tokenizer.json: normalizer type 'NFKD' is not implemented
 * (implemented: NFC, Lowercase, Replace, Precompiled, Sequence)}.
 */
public final class TokenizerFileException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;

    public TokenizerFileException(Path file, String problem) {
        this(file, problem, null);
    }

    public TokenizerFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file or folder the problem is about. */
    public Path file() {
        return file;
    }

    /** The message without the path prefix. */
    public String problem() {
        return problem;
    }
}
