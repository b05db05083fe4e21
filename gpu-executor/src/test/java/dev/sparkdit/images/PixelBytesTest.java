package dev.sparkdit.images;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** diffusers' numpy_to_pil rule: clamp, (x * 255) in float32, round half to even. */
class PixelBytesTest {

    @Test
    void endsAndOutOfRangeValuesClamp() {
        assertEquals(0, PixelBytes.toByte(0f));
        assertEquals(0, PixelBytes.toByte(-0f));
        assertEquals(255, PixelBytes.toByte(1f));
        assertEquals(0, PixelBytes.toByte(-0.3f));
        assertEquals(255, PixelBytes.toByte(1.7f));
        assertEquals(0, PixelBytes.toByte(Float.NEGATIVE_INFINITY));
        assertEquals(255, PixelBytes.toByte(Float.POSITIVE_INFINITY));
        assertEquals(255, PixelBytes.toByte(Math.nextDown(1f)));
    }

    @Test
    void exactHalvesRoundToEvenAsNumpyDoes() {
        // (k + 0.5f) / 255f times 255f is exactly k + 0.5 in float32 for these k (checked here too), so
        // they sit on the boundary: numpy.round gives 0, 2, 2, 4, 254; Math.round would give 1, 2, 3, 4, 255.
        int[] k = {0, 1, 2, 3, 254};
        int[] expected = {0, 2, 2, 4, 254};
        for (int i = 0; i < k.length; i++) {
            float x = (k[i] + 0.5f) / 255f;
            assertEquals(k[i] + 0.5f, x * 255f, "boundary value for " + k[i]);
            assertEquals(expected[i], PixelBytes.toByte(x), "at " + k[i] + ".5/255");
            // The nearest inputs whose float32 product leaves the boundary round the ordinary way (near
            // 1 several inputs share the product 254.5, so step until it changes).
            float below = Math.nextDown(x);
            while (below * 255f == k[i] + 0.5f) {
                below = Math.nextDown(below);
            }
            float above = Math.nextUp(x);
            while (above * 255f == k[i] + 0.5f) {
                assertEquals(expected[i], PixelBytes.toByte(above), "product still " + k[i] + ".5");
                above = Math.nextUp(above);
            }
            assertEquals(k[i], PixelBytes.toByte(below), "just below " + k[i] + ".5/255");
            assertEquals(k[i] + 1, PixelBytes.toByte(above), "just above " + k[i] + ".5/255");
        }
    }

    @Test
    void everyLevelSurvivesKOver255() {
        for (int k = 0; k <= 255; k++) {
            assertEquals(k, PixelBytes.toByte(k / 255f), "level " + k);
        }
    }

    @Test
    void interleavesChannelMajorIntoRgbTriples() {
        // [3, 1, 2]: R = (0, 1), G = (1, 0), B = (0.5, 1) -> pixels (0, 255, 128), (255, 0, 255).
        byte[] rgb = PixelBytes.interleave(new float[] {0f, 1f, 1f, 0f, 128 / 255f, 1f}, 1, 2);
        assertArrayEquals(new byte[] {0, (byte) 255, (byte) 128, (byte) 255, 0, (byte) 255}, rgb);
    }

    @Test
    void nanAndWrongSizesAreRefusedWithTheirPosition() {
        float[] img = new float[3 * 2 * 3];
        img[2 * 6 + 1 * 3 + 2] = Float.NaN; // channel 2, y 1, x 2
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> PixelBytes.interleave(img, 2, 3));
        assertTrue(nan.getMessage().contains("channel 2, y 1, x 2"), nan.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> PixelBytes.interleave(new float[17], 2, 3));
        assertTrue(size.getMessage().contains("18") && size.getMessage().contains("17"), size.getMessage());
    }
}
