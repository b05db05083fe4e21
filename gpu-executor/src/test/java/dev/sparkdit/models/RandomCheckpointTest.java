package dev.sparkdit.models;

import dev.sparkdit.models.clip.ClipTextConfig;
import dev.sparkdit.models.clip.ClipTextEncoder;
import dev.sparkdit.models.vae.VaeConfig;
import dev.sparkdit.models.vae.VaeDecoder;
import dev.sparkdit.safetensors.TensorSpec;
import dev.sparkdit.tensor.DType;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RandomCheckpointTest {
    private static final ClipTextConfig CLIP = new ClipTextConfig(50, 8, 16, 1, 2, 7, 1e-5, 2);
    private static final VaeConfig VAE = new VaeConfig(4, 3, new int[] {32, 64}, 1, 32, 0.3611, 0.1159, true);

    /** The tensor as the producer makes it, asked for in chunks of {@code chunk} elements. */
    private static float[] produce(RandomCheckpoint c, String name, int chunk) {
        TensorSpec t = c.tensors().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
        float[] out = new float[(int) t.numel()];
        for (int first = 0; first < out.length; first += chunk) {
            int n = Math.min(chunk, out.length - first);
            ByteBuffer b = ByteBuffer.allocate(n * t.dtype().bytes()).order(ByteOrder.LITTLE_ENDIAN);
            c.fill(t, first, b);
            b.flip();
            for (int i = 0; i < n; i++) {
                out[first + i] = t.dtype() == DType.F32 ? b.getFloat() : Float.intBitsToFloat(b.getShort() << 16);
            }
        }
        return out;
    }

    private static RandomFill fill(List<RandomFill> fills, String param) {
        return fills.stream().filter(f -> f.param().name().equals(param)).findFirst().orElseThrow();
    }

    @Test
    void aFusedParametersPartsAreItsRowRanges() {
        List<RandomFill> fills = ClipTextEncoder.randomFills(CLIP, 11);
        RandomCheckpoint c = RandomCheckpoint.of(fills, DType.F32);
        RandomFill qkv = fill(fills, "encoder.layers.0.qkv.weight");
        float[] k = produce(c, "encoder.layers.0.self_attn.k_proj.weight", 5);
        for (int e = 0; e < k.length; e++) {
            assertEquals(qkv.value(8 * 8 + e), k[e], "k_proj element " + e + " is row 8 + e/8 of qkv");
        }
        float[] bias = produce(c, "encoder.layers.0.self_attn.v_proj.bias", 3);
        RandomFill qkvBias = fill(fills, "encoder.layers.0.qkv.bias");
        for (int e = 0; e < bias.length; e++) {
            assertEquals(qkvBias.value(16 + e), bias[e]);
        }
        assertEquals(fills.stream().mapToLong(f -> {
            long n = 1;
            for (long d : f.param().shape()) {
                n *= d;
            }
            return n;
        }).sum() * 4, c.bytes(), "every parameter element once");
    }

    @Test
    void convolutionKernelsComeFromTheirChannelsLastHeldLayout() {
        List<RandomFill> fills = VaeDecoder.randomFills(VAE, 5);
        RandomCheckpoint c = RandomCheckpoint.of(fills, DType.F32);
        RandomFill conv = fill(fills, "decoder.conv_in.weight"); // [64, 4, 3, 3]
        float[] oihw = produce(c, "decoder.conv_in.weight", 100);
        for (int o = 0; o < 64; o++) {
            for (int i = 0; i < 4; i++) {
                for (int y = 0; y < 3; y++) {
                    for (int x = 0; x < 3; x++) {
                        assertEquals(conv.value(((o * 3L + y) * 3 + x) * 4 + i), oihw[((o * 4 + i) * 3 + y) * 3 + x]);
                    }
                }
            }
        }
    }

    @Test
    void bf16IsTheF32ValueRoundedToNearestEven() {
        List<RandomFill> fills = ClipTextEncoder.randomFills(CLIP, 3);
        float[] f32 = produce(RandomCheckpoint.of(fills, DType.F32), "embeddings.token_embedding.weight", 64);
        float[] bf16 = produce(RandomCheckpoint.of(fills, DType.BF16), "embeddings.token_embedding.weight", 64);
        for (int i = 0; i < f32.length; i++) {
            assertEquals(Float.intBitsToFloat(RandomCheckpoint.bf16(f32[i]) << 16), bf16[i]);
            assertTrue(Math.abs(bf16[i] - f32[i]) <= Math.ulp(f32[i]) * (1 << 15), "within half a bf16 ulp");
        }
        assertEquals((short) 0x3F80, RandomCheckpoint.bf16(Float.intBitsToFloat(0x3F808000)), "tie to even: down");
        assertEquals((short) 0x3F82, RandomCheckpoint.bf16(Float.intBitsToFloat(0x3F818000)), "tie to even: up");
        assertEquals((short) 0x3F81, RandomCheckpoint.bf16(Float.intBitsToFloat(0x3F808001)), "above the tie: up");
    }

    @Test
    void keysInNaturalOrder() {
        assertTrue(RandomCheckpoint.naturalOrder("blocks.2.w", "blocks.10.w") < 0);
        assertTrue(RandomCheckpoint.naturalOrder("blocks.10.w", "blocks.9.w") > 0);
        assertTrue(RandomCheckpoint.naturalOrder("a", "a.0") < 0);
        assertEquals(0, RandomCheckpoint.naturalOrder("x.01", "x.01"));
        List<String> names = RandomCheckpoint.of(ClipTextEncoder.randomFills(
                new ClipTextConfig(50, 8, 16, 11, 2, 7, 1e-5, 2), 1), DType.F32).tensors().stream()
                .map(TensorSpec::name).filter(n -> n.endsWith("layer_norm1.bias")).toList();
        assertEquals("encoder.layers.2.layer_norm1.bias", names.get(2));
        assertEquals("encoder.layers.10.layer_norm1.bias", names.get(10));
    }

    @Test
    void rowsOfAKeyThatNoParameterFillsAreRefused() {
        ModelParam half = new ModelParam("p", new long[] {2, 4}, List.of(new ParamPart("k", new long[] {4, 4}, 0, 2)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RandomCheckpoint.of(List.of(new RandomFill(half, 1, 0f, 1f)), DType.F32));
        assertEquals("key k: parameters cover 2 of its 4 rows", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> RandomCheckpoint.of(List.of(new RandomFill(half, 1, 0f, 1f)), DType.F16));
    }
}
