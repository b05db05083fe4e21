package dev.sparkdit.models;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint does not fit the model's config: every missing, unexpected and mis-shaped key is listed
 * at once, so one failed load tells the whole story.
 */
public final class CheckpointMismatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> missing;
    private final List<String> unexpected;
    private final List<String> misshaped;

    public CheckpointMismatchException(String source, String layout, List<String> missing, List<String> unexpected,
                                       Map<String, long[][]> misshaped) {
        super(message(source, layout, missing, unexpected, misshaped));
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.misshaped = List.copyOf(misshaped.keySet());
    }

    public List<String> missing() {
        return missing;
    }

    public List<String> unexpected() {
        return unexpected;
    }

    public List<String> misshaped() {
        return misshaped;
    }

    private static String message(String source, String layout, List<String> missing, List<String> unexpected,
                                  Map<String, long[][]> misshaped) {
        StringBuilder sb = new StringBuilder();
        sb.append("checkpoint ").append(source).append(" (").append(layout).append(" layout) does not match the config: ")
                .append(missing.size()).append(" missing, ").append(unexpected.size()).append(" unexpected, ")
                .append(misshaped.size()).append(" mis-shaped keys");
        for (String k : missing) {
            sb.append("\n  missing:     ").append(k);
        }
        for (String k : unexpected) {
            sb.append("\n  unexpected:  ").append(k);
        }
        for (Map.Entry<String, long[][]> e : misshaped.entrySet()) {
            sb.append("\n  mis-shaped:  ").append(e.getKey()).append(" is ").append(Arrays.toString(e.getValue()[0]))
                    .append(", config expects ").append(Arrays.toString(e.getValue()[1]));
        }
        return sb.toString();
    }
}
