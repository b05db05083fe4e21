package dev.sparkdit.pipeline;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeededNoiseTest {

    @Test
    void firstValuesAreFrozen() {
        // The spec in docs/noise.md, pinned: these are this implementation's outputs when the generator
        // was defined, and the table in docs/noise.md. Any change here changes every image for every seed.
        assertArrayEquals(FROZEN_SEED_0, first(0L, FROZEN_SEED_0.length));
        assertArrayEquals(FROZEN_SEED_42, first(42L, FROZEN_SEED_42.length));
    }

    // Elements 0..7 (channel 0, row 0, x 0..7). An independent Python port of docs/noise.md (math.log/
    // sqrt/cos/sin of glibc) agreed with this class on all of the first 100,000 values of seed 7.
    static final float[] FROZEN_SEED_0 = {
        0.9911377f, -0.9246626f, -0.61760896f, -0.4820686f, -0.15363823f, 0.1808259f, 0.83173513f, 0.19743972f};
    static final float[] FROZEN_SEED_42 = {
        -0.9701898f, 0.19401896f, -1.2356207f, 1.9239267f, -0.07318151f, 0.13913749f, -1.106665f, 0.32668296f};

    private static float[] first(long seed, int n) {
        float[] v = new float[n];
        SeededNoise.fill(seed, 0, v, 0, n);
        return v;
    }

    @Test
    void eachValueIsTheBoxMullerOfItsPhiloxBlock() {
        long seed = 0x1234_5678_9ABC_DEF0L;
        long index = 4L * 0x1_0000_0003L + 3; // block above 2^32 exercises the counter's high word
        int[] w = new int[4];
        Philox4x32.block(3, 1, 0, 0, 0x9ABC_DEF0, 0x1234_5678, w);
        double u1 = (Integer.toUnsignedLong(w[2]) + 1) / 4294967296.0;
        double u2 = Integer.toUnsignedLong(w[3]) / 4294967296.0;
        float expected = (float) (StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.sin(2 * Math.PI * u2));
        assertEquals(expected, SeededNoise.normal(seed, index));
    }

    @Test
    void packedRowsEqualThePackedFullLatent() {
        for (int[] size : new int[][] {{64, 64}, {48, 80}, {16, 16}, {112, 16}}) {
            int height = size[0];
            int width = size[1];
            FluxLatentShape shape = new FluxLatentShape(height, width);
            float[] packed = LatentPacking.pack(SeededNoise.latent(7L, height, width), 16,
                    shape.latentHeight(), shape.latentWidth());
            assertArrayEquals(packed, SeededNoise.packedRows(7L, height, width, 0, shape.tokens()),
                    width + "x" + height);
        }
    }

    @Test
    void anySplitIntoRanksGivesTheSameValuesAsOneProcess() {
        // 48x80 pixels: a 3 x 5 token grid, 15 tokens, so 2 and 3 ranks cut through token rows unevenly.
        int height = 48;
        int width = 80;
        int tokens = new FluxLatentShape(height, width).tokens();
        float[] whole = SeededNoise.packedRows(99L, height, width, 0, tokens);
        for (int ranks : new int[] {1, 2, 3, 4, 7, 15}) {
            float[] joined = new float[whole.length];
            for (int r = 0; r < ranks; r++) {
                int from = (int) ((long) tokens * r / ranks);
                int to = (int) ((long) tokens * (r + 1) / ranks);
                float[] part = SeededNoise.packedRows(99L, height, width, from, to - from);
                System.arraycopy(part, 0, joined, from * FluxLatentShape.TOKEN_WIDTH, part.length);
            }
            assertArrayEquals(whole, joined, ranks + " ranks");
        }
    }

    @Test
    void fillIsSplitInvariantAtEveryAlignment() {
        float[] whole = first(5L, 37);
        for (int cut = 0; cut <= 37; cut++) {
            float[] joined = new float[37];
            SeededNoise.fill(5L, 0, joined, 0, cut);
            SeededNoise.fill(5L, cut, joined, cut, 37 - cut);
            assertArrayEquals(whole, joined, "cut at " + cut);
            if (cut < 37) {
                assertEquals(whole[cut], SeededNoise.normal(5L, cut));
            }
        }
    }

    @Test
    void repeatsBitForBit() {
        float[] a = SeededNoise.packedRows(123456789L, 64, 48, 0, 12);
        float[] b = SeededNoise.packedRows(123456789L, 64, 48, 0, 12);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "element " + i);
        }
    }

    @Test
    void differentSeedsGiveUnrelatedNoise() {
        // Seeds differing only in the key's high word must differ too.
        long[] seeds = {0L, 1L, 42L, 43L, -1L, 1L << 32, Long.MIN_VALUE};
        int n = 1 << 14;
        List<float[]> samples = new ArrayList<>();
        for (long s : seeds) {
            samples.add(first(s, n));
        }
        for (int i = 0; i < seeds.length; i++) {
            for (int j = i + 1; j < seeds.length; j++) {
                int equal = 0;
                double dot = 0;
                for (int k = 0; k < n; k++) {
                    equal += samples.get(i)[k] == samples.get(j)[k] ? 1 : 0;
                    dot += (double) samples.get(i)[k] * samples.get(j)[k];
                }
                assertTrue(equal < 4, "seeds " + seeds[i] + " and " + seeds[j] + " share " + equal + " values");
                // Independent standard normals: correlation ~ N(0, 1/n); 5 sigma = 0.039.
                assertTrue(Math.abs(dot / n) < 5 / Math.sqrt(n),
                        "seeds " + seeds[i] + " and " + seeds[j] + " correlate: " + dot / n);
            }
        }
    }

    @Test
    void aLargeSampleLooksStandardNormal() {
        List<String> failures = NormalSampleCheck.failures(first(2024L, 1 << 21));
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void theNormalityCheckRejectsWrongDistributions() {
        // The check above has teeth: a shifted, a scaled and a correlated version of the same sample fail.
        float[] good = first(2024L, 1 << 21);
        float[] shifted = good.clone();
        float[] scaled = good.clone();
        float[] correlated = good.clone();
        for (int i = 0; i < good.length; i++) {
            shifted[i] += 0.01f;
            scaled[i] *= 1.01f;
            if (i > 0) {
                correlated[i] = (float) (0.98 * good[i] + 0.2 * good[i - 1]);
            }
        }
        assertFalse(NormalSampleCheck.failures(shifted).isEmpty(), "shifted by 0.01");
        assertFalse(NormalSampleCheck.failures(scaled).isEmpty(), "scaled by 1.01");
        assertFalse(NormalSampleCheck.failures(correlated).isEmpty(), "lag-1 correlation 0.2");
        float[] uniform = new float[1 << 20];
        for (int i = 0; i < uniform.length; i++) {
            // Unit variance, zero mean, but flat: only the tail and kurtosis checks catch it.
            uniform[i] = (float) ((((i * 0x9E3779B9L) & 0xFFFFFFFFL) / 4294967296.0 - 0.5) * Math.sqrt(12));
        }
        assertFalse(NormalSampleCheck.failures(uniform).isEmpty(), "uniform");
    }

    @Test
    void badRangesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SeededNoise.packedRows(1L, 64, 64, 10, 7));
        assertTrue(e.getMessage().contains("[10, 17)") && e.getMessage().contains("16 tokens"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SeededNoise.fill(1L, -1, new float[1], 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> SeededNoise.fill(1L, 0, new float[1], 0, 2));
    }
}
