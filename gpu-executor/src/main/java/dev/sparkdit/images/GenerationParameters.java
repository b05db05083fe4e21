package dev.sparkdit.images;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * What produced an image, as written into its PNG for image tools to read back.
 *
 * <p>{@link #infotext()} is the AUTOMATIC1111 "parameters" text that those tools (the web UI's PNG Info,
 * Forge, ComfyUI and Civitai readers, sd-parsers) parse: the prompt, then one last line of
 * {@code Key: value} pairs joined by {@code ", "}:
 * <pre>
 * a lighthouse at dusk
 * Steps: 28, Sampler: FlowMatch Euler, CFG scale: 1, Guidance: 3.5, Seed: 42, Size: 1024x1024, Model: FLUX.1-dev, Version: SparkDiT 0.1.0
 * </pre>
 * FLUX.1 runs without classifier-free guidance, so {@code CFG scale} is always 1; its distilled
 * guidance goes in {@code Guidance} (schnell ignores it). Values that contain {@code ,}, {@code :} or a
 * newline are written as JSON strings, as the web UI quotes them, so its parser splits the line correctly.
 *
 * @param prompt   the prompt as given (may be empty; may span lines)
 * @param seed     the seed of the initial noise
 * @param steps    denoising steps, > 0
 * @param guidance FLUX.1-dev's guidance scale (finite, >= 0)
 * @param width    image width in pixels, > 0
 * @param height   image height in pixels, > 0
 * @param model    model name, e.g. {@code FLUX.1-dev}; one line, not blank
 * @param version  producing software, e.g. {@code SparkDiT 0.1.0}; one line, not blank
 */
public record GenerationParameters(String prompt, long seed, int steps, double guidance, int width, int height,
                                   String model, String version) {

    /** The sampler's name in the text (diffusers' FlowMatchEulerDiscreteScheduler). */
    public static final String SAMPLER = "FlowMatch Euler";

    private static final ObjectMapper JSON = new ObjectMapper();

    public GenerationParameters {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(version, "version");
        checkText("prompt", prompt);
        checkText("model", model);
        checkText("version", version);
        if (model.isBlank() || model.indexOf('\n') >= 0 || model.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("model must be one non-blank line, got '" + model + "'");
        }
        if (version.isBlank() || version.indexOf('\n') >= 0 || version.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("version must be one non-blank line, got '" + version + "'");
        }
        if (steps <= 0) {
            throw new IllegalArgumentException("steps must be > 0, got " + steps);
        }
        if (!(guidance >= 0) || Double.isInfinite(guidance)) {
            throw new IllegalArgumentException("guidance must be finite and >= 0, got " + guidance);
        }
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
    }

    /** PNG text may not hold NUL, and UTF-8 cannot encode a lone surrogate: refuse both by position. */
    private static void checkText(String field, String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == 0) {
                throw new IllegalArgumentException(field + " contains a NUL character at index " + i);
            }
            if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(ch)) {
                throw new IllegalArgumentException(field + " contains an unpaired UTF-16 surrogate U+"
                        + Integer.toHexString(ch).toUpperCase(java.util.Locale.ROOT) + " at index " + i);
            }
        }
    }

    /** The AUTOMATIC1111-style parameters text (see the class comment). */
    public String infotext() {
        return prompt + "\n"
                + "Steps: " + steps
                + ", Sampler: " + SAMPLER
                + ", CFG scale: 1"
                + ", Guidance: " + number(guidance)
                + ", Seed: " + seed
                + ", Size: " + width + "x" + height
                + ", Model: " + quoted(model)
                + ", Version: " + quoted(version);
    }

    /** Shortest plain decimal: 3.5 -> "3.5", 1.0 -> "1", 1e-5 -> "0.00001" (never exponent notation). */
    static String number(double v) {
        if (v == 0) {
            return "0";
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static String quoted(String value) {
        if (value.indexOf(',') < 0 && value.indexOf(':') < 0 && value.indexOf('\n') < 0) {
            return value;
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a String always serialises", e);
        }
    }
}
