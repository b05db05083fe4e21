package dev.sparkdit.datasets;

import java.util.List;

/**
 * Column names of the result table, in their written order. The Parquet schema, the Spark row
 * converters and the JSON-lines format all use these names.
 */
public final class ResultColumns {

    private ResultColumns() {
    }

    public static final String PROMPT_ID = "prompt_id";
    public static final String SEED = "seed";
    public static final String IMAGE_URI = "image_uri";
    public static final String WIDTH = "width";
    public static final String HEIGHT = "height";
    public static final String STEPS = "steps";
    public static final String GUIDANCE = "guidance";
    public static final String MODEL = "model";
    public static final String PARALLEL_PLAN = "parallel_plan";
    public static final String LOAD_MS = "load_ms";
    public static final String TOKENIZE_MS = "tokenize_ms";
    public static final String TEXT_ENCODE_MS = "text_encode_ms";
    public static final String STEP_MS = "step_ms";
    public static final String DENOISE_MS = "denoise_ms";
    public static final String DECODE_MS = "decode_ms";
    public static final String WRITE_MS = "write_ms";
    public static final String TOTAL_MS = "total_ms";
    public static final String CLIP_TOKENS_TRUNCATED = "clip_tokens_truncated";
    public static final String T5_TOKENS_TRUNCATED = "t5_tokens_truncated";
    public static final String HOST = "host";
    public static final String GPU_IDS = "gpu_ids";
    public static final String GROUP = "group";
    public static final String ATTEMPT = "attempt";
    public static final String STATUS = "status";
    public static final String ERROR = "error";

    public static final List<String> ALL = List.of(PROMPT_ID, SEED, IMAGE_URI, WIDTH, HEIGHT, STEPS, GUIDANCE, MODEL,
            PARALLEL_PLAN, LOAD_MS, TOKENIZE_MS, TEXT_ENCODE_MS, STEP_MS, DENOISE_MS, DECODE_MS, WRITE_MS, TOTAL_MS,
            CLIP_TOKENS_TRUNCATED, T5_TOKENS_TRUNCATED, HOST, GPU_IDS, GROUP, ATTEMPT, STATUS, ERROR);
}
