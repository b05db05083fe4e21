package dev.sparkdit.models;

import dev.sparkdit.backend.CpuBackend;
import dev.sparkdit.models.flux.FluxConfig;
import dev.sparkdit.models.flux.FluxTransformer;
import dev.sparkdit.safetensors.HostTensor;
import dev.sparkdit.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading reports every missing, unexpected and mis-shaped key in one exception. */
class FluxCheckpointLoadTest {
    @TempDir
    Path tmp;

    static Path golden(String file) throws URISyntaxException {
        return Path.of(FluxCheckpointLoadTest.class.getResource("/golden/flux_tiny_dev/" + file).toURI());
    }

    static final FluxConfig TINY_DEV = new FluxConfig(16, 16, 2, 2, 32, 4, 64, 32, true, new int[] {4, 14, 14});

    private CheckpointMismatchException loadExpectingMismatch(Map<String, HostTensor> tensors) throws Exception {
        Path file = CheckpointFixtures.write(tmp.resolve("edited.safetensors"), tensors);
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(file);
             CpuBackend backend = new CpuBackend(1 << 20)) {
            return assertThrows(CheckpointMismatchException.class, () -> FluxTransformer.load(ckpt, TINY_DEV,
                    backend.ops(), backend.reserve("w", FluxTransformer.weightBytes(TINY_DEV, DType.F32)), DType.F32));
        }
    }

    @Test
    void reportsMissingUnexpectedAndMisshapedKeysTogether() throws Exception {
        LinkedHashMap<String, HostTensor> t = CheckpointFixtures.read(golden("weights.safetensors"));
        t.remove("transformer_blocks.1.attn.to_k.weight");
        t.remove("proj_out.bias");
        t.put("transformer_blocks.0.attn.extra.weight", HostTensor.of(DType.F32, new long[] {2}, new byte[8]));
        t.put("x_embedder.bias", HostTensor.of(DType.F32, new long[] {127}, new byte[127 * 4]));
        CheckpointMismatchException e = loadExpectingMismatch(t);
        assertEquals(java.util.List.of("transformer_blocks.1.attn.to_k.weight", "proj_out.bias"),
                e.missing().stream().sorted(java.util.Comparator.reverseOrder()).toList());
        assertEquals(java.util.List.of("transformer_blocks.0.attn.extra.weight"), e.unexpected());
        assertEquals(java.util.List.of("x_embedder.bias"), e.misshaped());
        assertTrue(e.getMessage().contains("x_embedder.bias is [127], config expects [128]"), e.getMessage());
        assertTrue(e.getMessage().contains("2 missing, 1 unexpected, 1 mis-shaped"), e.getMessage());
    }

    @Test
    void aConfigWithMoreLayersThanTheCheckpointListsEachMissingKey() throws Exception {
        FluxConfig deeper = new FluxConfig(16, 16, 3, 2, 32, 4, 64, 32, true, new int[] {4, 14, 14});
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(golden("weights.safetensors"));
             CpuBackend backend = new CpuBackend(1 << 20)) {
            CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
                    () -> FluxTransformer.load(ckpt, deeper, backend.ops(),
                            backend.reserve("w", FluxTransformer.weightBytes(deeper, DType.F32)), DType.F32));
            // A double block has 32 tensors; all of block 2's are missing, nothing else.
            assertEquals(32, e.missing().size());
            assertTrue(e.missing().stream().allMatch(k -> k.startsWith("transformer_blocks.2.")));
            assertTrue(e.unexpected().isEmpty());
        }
    }

    @Test
    void schnellConfigRejectsGuidanceWeightsAsUnexpected() throws Exception {
        FluxConfig noGuidance = new FluxConfig(16, 16, 2, 2, 32, 4, 64, 32, false, new int[] {4, 14, 14});
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(golden("weights.safetensors"));
             CpuBackend backend = new CpuBackend(1 << 20)) {
            CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
                    () -> FluxTransformer.load(ckpt, noGuidance, backend.ops(),
                            backend.reserve("w", FluxTransformer.weightBytes(noGuidance, DType.F32)), DType.F32));
            assertEquals(4, e.unexpected().size());
            assertTrue(e.unexpected().stream().allMatch(k -> k.contains("guidance_embedder")));
        }
    }
}
