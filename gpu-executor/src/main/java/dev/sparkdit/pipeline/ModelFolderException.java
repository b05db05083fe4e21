package dev.sparkdit.pipeline;

import java.nio.file.Path;
import java.util.List;

/** A model folder that cannot be used: every problem found, each naming the file and what is wrong with it. */
public final class ModelFolderException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ModelFolderException(Path folder, List<String> problems) {
        super("model folder " + folder + " cannot be used (" + problems.size() + " problem"
                + (problems.size() == 1 ? "" : "s") + "):\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
