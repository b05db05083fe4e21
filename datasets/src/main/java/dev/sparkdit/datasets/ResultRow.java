package dev.sparkdit.datasets;

import java.io.Serializable;
import java.util.List;

/**
 * One row of the result table: what was rendered, where the image went, how long each stage took and
 * where it ran. Components are the table's columns in order ({@link ResultColumns}); times are in
 * milliseconds. A stage that a failed render never reached records 0.
 *
 * @param promptId            the request's id
 * @param seed                the seed rendered with (the row's own or the derived one)
 * @param imageUri            where the image was written; null only for a failed render
 * @param width               pixels
 * @param height              pixels
 * @param steps               denoising steps requested
 * @param guidance            guidance scale
 * @param model               model name (e.g. {@code flux.1-dev})
 * @param parallelPlan        the group's plan, e.g. {@code "ulysses 2 x ring 1"}
 * @param loadMs              loading (or reusing) the model, charged to this row
 * @param tokenizeMs          CLIP and T5 tokenization
 * @param textEncodeMs        CLIP and T5 forward passes
 * @param stepMs              one entry per denoising step run (at most {@code steps})
 * @param denoiseMs           the whole denoising loop
 * @param decodeMs            VAE decode
 * @param writeMs             encoding and writing the image
 * @param totalMs             the whole request, wall clock
 * @param clipTokensTruncated prompt tokens CLIP's 77-token window dropped
 * @param t5TokensTruncated   prompt tokens T5's window dropped
 * @param host                host name of the group's leader
 * @param gpuIds              GPUs of the group, rank by rank: the {@code gpu} resources Spark gave its tasks (also
 *                            when the CPU backend computes); in local mode, task indexes on a GPU backend, none on the
 *                            CPU
 * @param group               the rendering group's index
 * @param attempt             the attempt of the barrier stage that rendered the row (0 for the first)
 * @param status              ok or failed
 * @param error               what went wrong; null exactly when {@code status} is ok
 */
public record ResultRow(String promptId, long seed, String imageUri, int width, int height, int steps,
                        double guidance, String model, String parallelPlan, double loadMs, double tokenizeMs,
                        double textEncodeMs, List<Double> stepMs, double denoiseMs, double decodeMs,
                        double writeMs, double totalMs, int clipTokensTruncated, int t5TokensTruncated,
                        String host, List<Integer> gpuIds, int group, int attempt, ResultStatus status,
                        String error) implements Serializable {

    private static final long serialVersionUID = 1L;

    public ResultRow {
        requireText(ResultColumns.PROMPT_ID, promptId);
        positive(ResultColumns.WIDTH, width);
        positive(ResultColumns.HEIGHT, height);
        positive(ResultColumns.STEPS, steps);
        if (!Double.isFinite(guidance)) {
            throw new IllegalArgumentException(ResultColumns.GUIDANCE + " must be finite, got " + guidance);
        }
        requireText(ResultColumns.MODEL, model);
        requireText(ResultColumns.PARALLEL_PLAN, parallelPlan);
        duration(ResultColumns.LOAD_MS, loadMs);
        duration(ResultColumns.TOKENIZE_MS, tokenizeMs);
        duration(ResultColumns.TEXT_ENCODE_MS, textEncodeMs);
        duration(ResultColumns.DENOISE_MS, denoiseMs);
        duration(ResultColumns.DECODE_MS, decodeMs);
        duration(ResultColumns.WRITE_MS, writeMs);
        duration(ResultColumns.TOTAL_MS, totalMs);
        if (stepMs == null) {
            throw new IllegalArgumentException(ResultColumns.STEP_MS + " must not be null (empty when no step ran)");
        }
        if (stepMs.size() > steps) {
            throw new IllegalArgumentException(ResultColumns.STEP_MS + " has " + stepMs.size() + " entries for "
                    + steps + " steps");
        }
        for (int i = 0; i < stepMs.size(); i++) {
            duration(ResultColumns.STEP_MS + "[" + i + "]", stepMs.get(i));
        }
        stepMs = List.copyOf(stepMs);
        nonNegative(ResultColumns.CLIP_TOKENS_TRUNCATED, clipTokensTruncated);
        nonNegative(ResultColumns.T5_TOKENS_TRUNCATED, t5TokensTruncated);
        requireText(ResultColumns.HOST, host);
        if (gpuIds == null) {
            throw new IllegalArgumentException(ResultColumns.GPU_IDS + " must not be null (empty on the CPU)");
        }
        for (Integer id : gpuIds) {
            if (id == null || id < 0) {
                throw new IllegalArgumentException(ResultColumns.GPU_IDS + " entries must be >= 0, got " + gpuIds);
            }
        }
        gpuIds = List.copyOf(gpuIds);
        nonNegative(ResultColumns.GROUP, group);
        nonNegative(ResultColumns.ATTEMPT, attempt);
        if (status == null) {
            throw new IllegalArgumentException(ResultColumns.STATUS + " must not be null");
        }
        if (status == ResultStatus.OK) {
            if (error != null) {
                throw new IllegalArgumentException("an ok row has no error, got " + Quote.of(error));
            }
            requireText(ResultColumns.IMAGE_URI + " of an ok row", imageUri);
        } else {
            requireText(ResultColumns.ERROR + " of a failed row", error);
        }
    }

    private static void requireText(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be null or blank, got " + Quote.of(value));
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }

    private static void nonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
    }

    private static void duration(String name, Double ms) {
        if (ms == null || !Double.isFinite(ms) || ms < 0) {
            throw new IllegalArgumentException(name + " must be a finite number of ms >= 0, got " + ms);
        }
    }
}
