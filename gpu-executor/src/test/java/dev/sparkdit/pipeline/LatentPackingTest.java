package dev.sparkdit.pipeline;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatentPackingTest {

    /** Unpacked [c][y][x] holds the three digits c y x, so every packed value says where it came from. */
    private static float[] labelled(int channels, int h, int w) {
        float[] v = new float[channels * h * w];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    v[(c * h + y) * w + x] = 100 * c + 10 * y + x;
                }
            }
        }
        return v;
    }

    @Test
    void packsTwoByTwoPatchesChannelMajorLikeDiffusers() {
        // [2, 2, 4] -> [2 tokens, 8]: token 0 is the patch x 0..1, token 1 is x 2..3; within a token,
        // channel 0's 2x2 patch (row-major) then channel 1's, as torch's view/permute/reshape orders them.
        float[] packed = LatentPacking.pack(labelled(2, 2, 4), 2, 2, 4);
        assertArrayEquals(new float[] {
            0, 1, 10, 11, 100, 101, 110, 111,
            2, 3, 12, 13, 102, 103, 112, 113}, packed);
    }

    @Test
    void tokensRunRowMajorOverThePatchGrid() {
        // [1, 4, 6] -> 2 x 3 patches.
        float[] packed = LatentPacking.pack(labelled(1, 4, 6), 1, 4, 6);
        assertArrayEquals(new float[] {
            0, 1, 10, 11,
            2, 3, 12, 13,
            4, 5, 14, 15,
            20, 21, 30, 31,
            22, 23, 32, 33,
            24, 25, 34, 35}, packed);
    }

    @Test
    void unpackInvertsPack() {
        float[] x = labelled(3, 6, 4);
        assertArrayEquals(x, LatentPacking.unpack(LatentPacking.pack(x, 3, 6, 4), 3, 6, 4));
    }

    @Test
    void oddOrMismatchedShapesAreRefused() {
        IllegalArgumentException odd = assertThrows(IllegalArgumentException.class,
                () -> LatentPacking.pack(new float[6], 1, 2, 3));
        assertTrue(odd.getMessage().contains("[1, 2, 3]"), odd.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> LatentPacking.unpack(new float[7], 1, 2, 4));
        assertTrue(size.getMessage().contains("7") && size.getMessage().contains("8"), size.getMessage());
    }

    @Test
    void latentShapeOfAFluxImage() {
        FluxLatentShape s = new FluxLatentShape(1024, 768);
        assertEquals(128, s.latentHeight());
        assertEquals(96, s.latentWidth());
        assertEquals(64 * 48, s.tokens());
        assertEquals(16 * 128 * 96, s.values());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FluxLatentShape(1000, 768));
        assertTrue(e.getMessage().contains("height") && e.getMessage().contains("1000"), e.getMessage());
    }
}
