package dev.sparkdit.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The part of diffusers' {@code FlowMatchEulerDiscreteScheduler} configuration that FLUX.1 uses, read
 * from a model folder's {@code scheduler/scheduler_config.json}. Field names follow the JSON keys.
 *
 * <p>{@link #dev()} and {@link #schnell()} are the configurations the two released models ship.
 *
 * @param numTrainTimesteps {@code num_train_timesteps}: timestep = sigma x this (1000)
 * @param shift             {@code shift}: the static shift used when dynamic shifting is off (schnell: 1.0)
 * @param useDynamicShifting {@code use_dynamic_shifting}: shift by {@code mu} from the image sequence length (dev)
 * @param baseShift         {@code base_shift}: {@code mu} at {@code base_image_seq_len} (0.5)
 * @param maxShift          {@code max_shift}: {@code mu} at {@code max_image_seq_len} (1.15)
 * @param baseImageSeqLen   {@code base_image_seq_len} (256 tokens)
 * @param maxImageSeqLen    {@code max_image_seq_len} (4096 tokens)
 */
public record FlowMatchSchedulerConfig(int numTrainTimesteps, double shift, boolean useDynamicShifting,
                                       double baseShift, double maxShift, int baseImageSeqLen,
                                       int maxImageSeqLen) {

    /** The {@code _class_name} a scheduler_config.json for this scheduler carries. */
    public static final String CLASS_NAME = "FlowMatchEulerDiscreteScheduler";

    private static final ObjectMapper JSON = new ObjectMapper();

    public FlowMatchSchedulerConfig {
        if (numTrainTimesteps <= 0) {
            throw new IllegalArgumentException("num_train_timesteps must be > 0, got " + numTrainTimesteps);
        }
        if (!(shift > 0) || Double.isInfinite(shift)) {
            throw new IllegalArgumentException("shift must be finite and > 0, got " + shift);
        }
        if (!Double.isFinite(baseShift)) {
            throw new IllegalArgumentException("base_shift must be finite, got " + baseShift);
        }
        if (!Double.isFinite(maxShift)) {
            throw new IllegalArgumentException("max_shift must be finite, got " + maxShift);
        }
        if (baseImageSeqLen <= 0) {
            throw new IllegalArgumentException("base_image_seq_len must be > 0, got " + baseImageSeqLen);
        }
        if (maxImageSeqLen <= 0) {
            throw new IllegalArgumentException("max_image_seq_len must be > 0, got " + maxImageSeqLen);
        }
        // calculate_shift divides by their difference.
        if (baseImageSeqLen == maxImageSeqLen) {
            throw new IllegalArgumentException("base_image_seq_len and max_image_seq_len must differ, both are "
                    + baseImageSeqLen);
        }
    }

    /** black-forest-labs/FLUX.1-dev: dynamic shifting, mu from 0.5 (256 tokens) to 1.15 (4096 tokens). */
    public static FlowMatchSchedulerConfig dev() {
        return new FlowMatchSchedulerConfig(1000, 3.0, true, 0.5, 1.15, 256, 4096);
    }

    /** black-forest-labs/FLUX.1-schnell: no dynamic shifting, shift 1.0 (the sigmas are used as given). */
    public static FlowMatchSchedulerConfig schnell() {
        return new FlowMatchSchedulerConfig(1000, 1.0, false, 0.5, 1.15, 256, 4096);
    }

    /**
     * diffusers' {@code pipeline_flux.calculate_shift}: {@code mu}, linear in the image sequence length
     * (packed latent tokens) through (base_image_seq_len, base_shift) and (max_image_seq_len, max_shift),
     * not clamped outside that range. Evaluated in double in the reference's order of operations, as
     * Python does. Only used when {@link #useDynamicShifting}.
     */
    public double mu(int imageSeqLen) {
        double m = (maxShift - baseShift) / (maxImageSeqLen - baseImageSeqLen);
        double b = baseShift - m * baseImageSeqLen;
        return imageSeqLen * m + b;
    }

    /**
     * diffusers' {@code scheduler_config.json} for this configuration, every constructor argument as
     * {@code save_pretrained} writes it (the options FLUX.1 leaves off at their defaults); {@link #fromJson} reads it
     * back to an equal config.
     */
    public java.util.Map<String, Object> toDiffusers() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("_class_name", CLASS_NAME);
        m.put("_diffusers_version", dev.sparkdit.models.ConfigJson.DIFFUSERS_VERSION);
        m.put("base_image_seq_len", baseImageSeqLen);
        m.put("base_shift", baseShift);
        m.put("invert_sigmas", false);
        m.put("max_image_seq_len", maxImageSeqLen);
        m.put("max_shift", maxShift);
        m.put("num_train_timesteps", numTrainTimesteps);
        m.put("shift", shift);
        m.put("shift_terminal", null);
        m.put("stochastic_sampling", false);
        m.put("time_shift_type", "exponential");
        m.put("use_beta_sigmas", false);
        m.put("use_dynamic_shifting", useDynamicShifting);
        m.put("use_exponential_sigmas", false);
        m.put("use_karras_sigmas", false);
        return m;
    }

    /** Reads a diffusers {@code scheduler_config.json}; see {@link #fromJson(JsonNode, String)}. */
    public static FlowMatchSchedulerConfig read(Path schedulerConfigJson) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(schedulerConfigJson.toFile());
        } catch (IOException e) {
            throw new IOException(schedulerConfigJson + ": cannot read the scheduler config: " + e.getMessage(), e);
        }
        try {
            return fromJson(root, schedulerConfigJson.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(schedulerConfigJson + ": " + e.getMessage(), e);
        }
    }

    /**
     * Builds the config from the JSON object of a diffusers scheduler config. Keys that are absent take
     * diffusers' constructor defaults (as diffusers does: a saved config lists them in
     * {@code _use_default_values}); keys FLUX never sets are accepted only at the values that leave the
     * FLUX schedule unchanged, and anything else is refused by key and value. Unknown keys are ignored,
     * as diffusers ignores them, so configs from newer diffusers versions still load.
     *
     * @param source where the JSON came from, for error messages
     */
    public static FlowMatchSchedulerConfig fromJson(JsonNode json, String source) {
        Objects.requireNonNull(json, "json");
        if (!json.isObject()) {
            throw new IllegalArgumentException(source + ": a scheduler config must be a JSON object, got "
                    + json.getNodeType());
        }
        JsonNode className = json.get("_class_name");
        if (className != null && !CLASS_NAME.equals(className.asText())) {
            throw new IllegalArgumentException("_class_name is " + className + "; only " + CLASS_NAME
                    + " is implemented");
        }
        requireDefault(json, "invert_sigmas", false);
        requireDefault(json, "use_karras_sigmas", false);
        requireDefault(json, "use_exponential_sigmas", false);
        requireDefault(json, "use_beta_sigmas", false);
        requireDefault(json, "stochastic_sampling", false);
        JsonNode terminal = json.get("shift_terminal");
        if (terminal != null && !terminal.isNull() && !(terminal.isNumber() && terminal.asDouble() == 0)) {
            // diffusers tests `if shift_terminal:`, so 0 means off as null does.
            throw new IllegalArgumentException("shift_terminal is " + terminal
                    + "; only null (no terminal stretch, as FLUX.1) is implemented");
        }
        JsonNode shiftType = json.get("time_shift_type");
        if (shiftType != null && !"exponential".equals(shiftType.asText(null))) {
            throw new IllegalArgumentException("time_shift_type is " + shiftType
                    + "; only \"exponential\" (FLUX.1's) is implemented");
        }
        return new FlowMatchSchedulerConfig(
                intKey(json, "num_train_timesteps", 1000),
                doubleKey(json, "shift", 1.0),
                boolKey(json, "use_dynamic_shifting", false),
                doubleKey(json, "base_shift", 0.5),
                doubleKey(json, "max_shift", 1.15),
                intKey(json, "base_image_seq_len", 256),
                intKey(json, "max_image_seq_len", 4096));
    }

    private static void requireDefault(JsonNode json, String key, boolean expected) {
        if (json.has(key) && boolKey(json, key, expected) != expected) {
            throw new IllegalArgumentException(key + " is " + json.get(key) + "; only " + expected
                    + " (as FLUX.1 ships it) is implemented");
        }
    }

    private static int intKey(JsonNode json, String key, int dflt) {
        JsonNode v = json.get(key);
        if (v == null) {
            return dflt;
        }
        if (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()) && Math.abs(v.asDouble()) <= Integer.MAX_VALUE) {
            return (int) v.asDouble();
        }
        throw new IllegalArgumentException(key + " must be an integer, got " + v);
    }

    private static double doubleKey(JsonNode json, String key, double dflt) {
        JsonNode v = json.get(key);
        if (v == null) {
            return dflt;
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        throw new IllegalArgumentException(key + " must be a number, got " + v);
    }

    private static boolean boolKey(JsonNode json, String key, boolean dflt) {
        JsonNode v = json.get(key);
        if (v == null) {
            return dflt;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        throw new IllegalArgumentException(key + " must be true or false, got " + v);
    }
}
