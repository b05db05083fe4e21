package dev.sparkdit.datasets;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The validation rules for prompt rows, written once: Spark applies them per row in a map (with the
 * id's row count from an aggregation), and Spark-free callers through {@link #checkAll}. Each broken
 * rule adds one reason; a rejected row's reason is all of them joined by {@code "; "}.
 *
 * <p>Rules and their reasons ({@code N}, {@code lo..hi} stand for the values):
 * <ul>
 * <li>{@code prompt_id is null | empty | blank}</li>
 * <li>{@code prompt is null | empty | blank}</li>
 * <li>{@code prompt_2 is empty | blank (leave it null to use prompt)}</li>
 * <li>{@code width N is not a multiple of 16}, {@code width N is outside lo..hi}; the same for height</li>
 * <li>{@code steps N is outside lo..hi}</li>
 * <li>{@code guidance N is not finite}, {@code guidance N is outside lo..hi}</li>
 * <li>{@code prompt_id 'x' appears N times} (every row sharing the id is rejected)</li>
 * </ul>
 * Null optional values are not problems: they take the defaults.
 */
public final class PromptRules {

    private PromptRules() {
    }

    /**
     * Validates one row and fills its defaults.
     *
     * @param rowsWithId how many rows of the table carry this row's id (1 when it is unique); ignored
     *                   when the id itself is missing
     */
    public static CheckedPrompt check(PromptRow row, long rowsWithId, PromptDefaults defaults) {
        List<String> problems = problems(row, rowsWithId, defaults.limits());
        if (!problems.isEmpty()) {
            return RejectedPrompt.of(row, String.join("; ", problems));
        }
        String id = row.promptId();
        return new RenderRequest(id, row.prompt(),
                row.prompt2() != null ? row.prompt2() : row.prompt(),
                row.seed() != null ? row.seed() : PromptSeeds.derive(defaults.seed(), id),
                row.width() != null ? Math.toIntExact(row.width()) : defaults.width(),
                row.height() != null ? Math.toIntExact(row.height()) : defaults.height(),
                row.steps() != null ? Math.toIntExact(row.steps()) : defaults.steps(),
                row.guidance() != null ? row.guidance() : defaults.guidance());
    }

    /** Validates a whole in-memory table, duplicates included; results are in the rows' order. */
    public static List<CheckedPrompt> checkAll(List<PromptRow> rows, PromptDefaults defaults) {
        Map<String, Long> rowsPerId = new HashMap<>();
        for (PromptRow row : rows) {
            if (row.promptId() != null) {
                rowsPerId.merge(row.promptId(), 1L, Long::sum);
            }
        }
        List<CheckedPrompt> out = new ArrayList<>(rows.size());
        for (PromptRow row : rows) {
            out.add(check(row, rowsPerId.getOrDefault(row.promptId(), 0L), defaults));
        }
        return out;
    }

    /** Every rule {@code row} breaks, as reasons; empty when the row is good. */
    public static List<String> problems(PromptRow row, long rowsWithId, PromptLimits limits) {
        List<String> problems = new ArrayList<>();
        boolean idPresent = checkText(PromptColumns.PROMPT_ID, row.promptId(), problems);
        checkText(PromptColumns.PROMPT, row.prompt(), problems);
        if (row.prompt2() != null && row.prompt2().isBlank()) {
            problems.add(PromptColumns.PROMPT_2 + " is " + (row.prompt2().isEmpty() ? "empty" : "blank")
                    + " (leave it null to use " + PromptColumns.PROMPT + ")");
        }
        if (row.width() != null) {
            checkSide(PromptColumns.WIDTH, row.width(), limits, problems);
        }
        if (row.height() != null) {
            checkSide(PromptColumns.HEIGHT, row.height(), limits, problems);
        }
        if (row.steps() != null) {
            checkSteps(row.steps(), limits, problems);
        }
        if (row.guidance() != null) {
            checkGuidance(row.guidance(), limits, problems);
        }
        if (idPresent && rowsWithId > 1) {
            problems.add(duplicateId(row.promptId(), rowsWithId));
        }
        return problems;
    }

    /** The reason given to each of the {@code rows} rows that share {@code promptId}. */
    public static String duplicateId(String promptId, long rows) {
        return PromptColumns.PROMPT_ID + " " + Quote.of(promptId) + " appears " + rows + " times";
    }

    /** Adds "is null / empty / blank" for a required text; returns whether the text is usable. */
    private static boolean checkText(String column, String value, List<String> problems) {
        if (value == null) {
            problems.add(column + " is null");
        } else if (value.isEmpty()) {
            problems.add(column + " is empty");
        } else if (value.isBlank()) {
            problems.add(column + " is blank");
        } else {
            return true;
        }
        return false;
    }

    static void checkSide(String column, long value, PromptLimits limits, List<String> problems) {
        if (value % PromptLimits.SIDE_MULTIPLE != 0) {
            problems.add(column + " " + value + " is not a multiple of " + PromptLimits.SIDE_MULTIPLE);
        }
        if (value < limits.minSide() || value > limits.maxSide()) {
            problems.add(column + " " + value + " is outside " + limits.minSide() + ".." + limits.maxSide());
        }
    }

    static void checkSteps(long value, PromptLimits limits, List<String> problems) {
        if (value < limits.minSteps() || value > limits.maxSteps()) {
            problems.add(PromptColumns.STEPS + " " + value + " is outside " + limits.minSteps() + ".."
                    + limits.maxSteps());
        }
    }

    static void checkGuidance(double value, PromptLimits limits, List<String> problems) {
        if (!Double.isFinite(value)) {
            problems.add(PromptColumns.GUIDANCE + " " + value + " is not finite");
        } else if (value < limits.minGuidance() || value > limits.maxGuidance()) {
            problems.add(PromptColumns.GUIDANCE + " " + value + " is outside " + limits.minGuidance() + ".."
                    + limits.maxGuidance());
        }
    }
}
