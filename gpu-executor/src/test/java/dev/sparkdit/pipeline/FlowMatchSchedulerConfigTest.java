package dev.sparkdit.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlowMatchSchedulerConfigTest {

    private static FlowMatchSchedulerConfig parse(String json) throws Exception {
        return FlowMatchSchedulerConfig.fromJson(new ObjectMapper().readTree(json), "test");
    }

    private static void rejected(String json, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(json));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should contain '" + f + "'");
        }
    }

    @Test
    void missingKeysTakeDiffusersDefaults() throws Exception {
        // FLUX.1-schnell's scheduler_config.json lists only these; the rest are constructor defaults.
        assertEquals(FlowMatchSchedulerConfig.schnell(), parse("""
                {"_class_name": "FlowMatchEulerDiscreteScheduler", "_diffusers_version": "0.29.0.dev0",
                 "num_train_timesteps": 1000, "shift": 1.0, "use_dynamic_shifting": false}"""));
        assertEquals(FlowMatchSchedulerConfig.schnell(), parse("{}"));
    }

    @Test
    void badValuesAreRejectedByKeyAndValue() {
        rejected("{\"num_train_timesteps\": 0}", "num_train_timesteps", "0");
        rejected("{\"num_train_timesteps\": 2.5}", "num_train_timesteps", "2.5");
        rejected("{\"shift\": -3}", "shift", "-3");
        rejected("{\"shift\": \"3\"}", "shift", "\"3\"");
        rejected("{\"base_shift\": null}", "base_shift", "null");
        rejected("{\"use_dynamic_shifting\": 1}", "use_dynamic_shifting", "1");
        rejected("{\"base_image_seq_len\": 4096}", "base_image_seq_len", "4096");
        rejected("{\"use_karras_sigmas\": true}", "use_karras_sigmas", "true");
        rejected("{\"invert_sigmas\": true}", "invert_sigmas", "true");
        rejected("{\"stochastic_sampling\": true}", "stochastic_sampling", "true");
        rejected("{\"shift_terminal\": 0.1}", "shift_terminal", "0.1");
        rejected("{\"time_shift_type\": \"linear\"}", "time_shift_type", "linear");
        rejected("{\"_class_name\": \"EulerDiscreteScheduler\"}", "_class_name", "EulerDiscreteScheduler");
        rejected("[]", "JSON object");
    }

    @Test
    void compactConstructorNamesTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FlowMatchSchedulerConfig(1000, Double.NaN, false, 0.5, 1.15, 256, 4096));
        assertTrue(e.getMessage().contains("shift must be finite and > 0, got NaN"), e.getMessage());
    }
}
