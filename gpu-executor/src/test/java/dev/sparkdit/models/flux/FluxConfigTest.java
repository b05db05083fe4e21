package dev.sparkdit.models.flux;

import dev.sparkdit.json.Json;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FluxConfigTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String s) {
        return (Map<String, Object>) Json.parse(s);
    }

    @Test
    void diffusersConfigOfFluxDevEqualsThePreset() {
        // The transformer/config.json shipped with black-forest-labs/FLUX.1-dev.
        FluxConfig c = FluxConfig.fromDiffusers(json("""
                {"_class_name": "FluxTransformer2DModel", "_diffusers_version": "0.30.0.dev0",
                 "attention_head_dim": 128, "guidance_embeds": true, "in_channels": 64,
                 "joint_attention_dim": 4096, "num_attention_heads": 24, "num_layers": 19,
                 "num_single_layers": 38, "patch_size": 1, "pooled_projection_dim": 768,
                 "axes_dims_rope": [16, 56, 56]}"""));
        assertEquals(FluxConfig.DEV, c);
        assertEquals(3072, c.dim());
        assertEquals(12288, c.mlpHidden());
        assertEquals(FluxConfig.SCHNELL, FluxConfig.preset("flux.1-schnell"));
    }

    @Test
    void fullSizeWeightsAreAbout23GiBInBf16() {
        long bytes = FluxTransformer.weightBytes(FluxConfig.DEV, dev.sparkdit.tensor.DType.BF16);
        // 11.9 B parameters x 2 bytes.
        assertTrue(bytes > 23_000_000_000L && bytes < 24_500_000_000L, "bf16 weights " + bytes);
    }

    @Test
    void badValuesAreNamed() {
        IllegalArgumentException rope = assertThrows(IllegalArgumentException.class, () -> FluxConfig.fromDiffusers(
                json("{\"num_single_layers\": 1, \"joint_attention_dim\": 8, \"attention_head_dim\": 32,"
                        + " \"axes_dims_rope\": [4, 14, 16]}")));
        assertTrue(rope.getMessage().contains("sums to 34 but attention_head_dim is 32"), rope.getMessage());
        IllegalArgumentException patch = assertThrows(IllegalArgumentException.class, () -> FluxConfig.fromDiffusers(
                json("{\"num_single_layers\": 1, \"joint_attention_dim\": 8, \"patch_size\": 2}")));
        assertTrue(patch.getMessage().contains("patch_size 2"), patch.getMessage());
        IllegalArgumentException heads = assertThrows(IllegalArgumentException.class, () -> FluxConfig.fromDiffusers(
                json("{\"num_single_layers\": 1, \"joint_attention_dim\": 8, \"num_attention_heads\": 2.5}")));
        assertTrue(heads.getMessage().contains("num_attention_heads must be an integer, got 2.5"), heads.getMessage());
        IllegalArgumentException preset = assertThrows(IllegalArgumentException.class, () -> FluxConfig.preset("pro"));
        assertTrue(preset.getMessage().contains("'pro'"));
    }
}
