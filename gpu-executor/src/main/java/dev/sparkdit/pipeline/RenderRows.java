package dev.sparkdit.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

/** One written image as the JSON timing row {@code render} prints (and render-group's result rows extend). */
public final class RenderRows {
    private RenderRows() {
    }

    public static Map<String, Object> of(WrittenImage w, String model, String parallel, String device) {
        RenderRequest r = w.image().request();
        RenderTimings t = w.timings();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("prompt", r.prompt());
        m.put("seed", r.seed());
        m.put("width", (long) r.width());
        m.put("height", (long) r.height());
        m.put("steps", (long) r.steps());
        m.put("guidance", r.guidance());
        m.put("image", w.uri());
        m.put("model", model);
        m.put("parallel", parallel);
        m.put("device", device);
        m.put("clip_tokens_truncated", (long) w.image().clipTokensTruncated());
        m.put("t5_tokens_truncated", (long) w.image().t5TokensTruncated());
        m.put("tokenize_ms", round(t.tokenizeMs()));
        m.put("text_encode_ms", round(t.textEncodeMs()));
        java.util.List<Object> steps = new java.util.ArrayList<>();
        for (double ms : t.stepMs()) {
            steps.add(round(ms));
        }
        m.put("step_ms", steps);
        m.put("denoise_ms", round(t.denoiseMs()));
        m.put("decode_ms", round(t.decodeMs()));
        m.put("write_ms", round(t.writeMs()));
        m.put("total_ms", round(t.totalMs()));
        return m;
    }

    private static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }
}
