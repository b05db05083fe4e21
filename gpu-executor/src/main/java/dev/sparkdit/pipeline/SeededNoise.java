package dev.sparkdit.pipeline;

import java.util.Objects;

/**
 * The initial latent noise of a render: standard-normal float32 values that are a pure function of
 * (seed, element index), so the same seed gives the same image on any backend and any number of ranks,
 * and each rank generates exactly the packed token rows it owns. {@code docs/noise.md} specifies the
 * generator completely; in short:
 *
 * <pre>
 * element index i, in the canonical layout: the unpacked latent [C, height/8, width/8], channel-major
 * (C = 16 for FLUX.1)
 *   i = (c * (height/8) + y) * (width/8) + x
 * block  b = i / 4, lane = i % 4
 * words  (x0, x1, x2, x3) = Philox4x32-10(counter = (b mod 2^32, b / 2^32, 0, 0),
 *                                           key = (seed mod 2^32, seed / 2^32))
 * pair   p = lane / 2 uses (x[2p], x[2p+1]):
 *   u1 = (x[2p] + 1) * 2^-32   in (0, 1]       u2 = x[2p+1] * 2^-32   in [0, 1)
 *   r  = sqrt(-2 ln u1),  theta = 2 pi u2      (double, java.lang.StrictMath)
 *   lane 2p -> (float) (r cos theta),  lane 2p+1 -> (float) (r sin theta)
 * </pre>
 *
 * The transformer's tokens are the packed layout ({@link LatentPacking}); {@link #packedRows} returns
 * them directly. StrictMath makes the values bit-identical on every JVM and processor; a GPU backend
 * must take these host values rather than re-derive them with device math, whose log/sin/cos differ in
 * the last bits.
 */
public final class SeededNoise {
    private static final double TWO_TO_MINUS_32 = 0x1p-32;
    private static final double TWO_PI = 2 * Math.PI;
    private static final long LOW32 = 0xFFFF_FFFFL;

    private SeededNoise() {
    }

    /** The value at canonical element {@code index} (>= 0) for {@code seed}. */
    public static float normal(long seed, long index) {
        float[] one = new float[1];
        fill(seed, index, one, 0, 1);
        return one[0];
    }

    /**
     * Writes the values of canonical elements {@code firstIndex .. firstIndex + length - 1} into
     * {@code dst[offset ..]}. Any split of a range into pieces yields the same values as the whole.
     */
    public static void fill(long seed, long firstIndex, float[] dst, int offset, int length) {
        Objects.requireNonNull(dst, "dst");
        if (firstIndex < 0 || length < 0 || firstIndex > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("element range [" + firstIndex + ", " + firstIndex + " + " + length
                    + ") must be non-negative and below 2^63");
        }
        Objects.checkFromIndexSize(offset, length, dst.length);
        int k0 = (int) seed;
        int k1 = (int) (seed >>> 32);
        int[] words = new int[4];
        float[] block = new float[4];
        long end = firstIndex + length;
        long i = firstIndex;
        while (i < end) {
            long b = i >>> 2;
            Philox4x32.block((int) b, (int) (b >>> 32), 0, 0, k0, k1, words);
            int lane = (int) (i & 3);
            int lanesWanted = (int) Math.min(4 - lane, end - i);
            // Each Box-Muller pair is computed only when one of its lanes is wanted.
            if (lane < 2) {
                boxMuller(words[0], words[1], block, 0);
            }
            if (lane + lanesWanted > 2) {
                boxMuller(words[2], words[3], block, 2);
            }
            System.arraycopy(block, lane, dst, offset + (int) (i - firstIndex), lanesWanted);
            i += lanesWanted;
        }
    }

    private static void boxMuller(int a, int b, float[] out, int at) {
        double u1 = ((a & LOW32) + 1) * TWO_TO_MINUS_32;
        double u2 = (b & LOW32) * TWO_TO_MINUS_32;
        double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
        double theta = TWO_PI * u2;
        out[at] = (float) (r * StrictMath.cos(theta));
        out[at + 1] = (float) (r * StrictMath.sin(theta));
    }

    /** The whole unpacked latent {@code [16, height/8, width/8]} of a {@code height x width} image. */
    public static float[] latent(long seed, int height, int width) {
        return latent(seed, new FluxLatentShape(height, width));
    }

    /** The whole unpacked latent {@code [channels, height/8, width/8]} of {@code shape}. */
    public static float[] latent(long seed, FluxLatentShape shape) {
        float[] out = new float[shape.values()];
        fill(seed, 0, out, 0, out.length);
        return out;
    }

    /**
     * Packed token rows {@code firstToken .. firstToken + tokenCount - 1} of the latent of a
     * {@code height x width} image: {@code [tokenCount, 64]}, row-major, equal to those rows of
     * {@code LatentPacking.pack(latent(seed, height, width), 16, height/8, width/8)}.
     */
    public static float[] packedRows(long seed, int height, int width, int firstToken, int tokenCount) {
        return packedRows(seed, new FluxLatentShape(height, width), firstToken, tokenCount);
    }

    /** As {@link #packedRows(long, int, int, int, int)} for any latent channel count: {@code [tokenCount, 4 channels]}. */
    public static float[] packedRows(long seed, FluxLatentShape shape, int firstToken, int tokenCount) {
        int height = shape.height();
        int width = shape.width();
        if (firstToken < 0 || tokenCount < 0 || (long) firstToken + tokenCount > shape.tokens()) {
            throw new IllegalArgumentException("tokens [" + firstToken + ", " + ((long) firstToken + tokenCount)
                    + ") are outside the " + shape.tokens() + " tokens of a " + width + "x" + height + " image");
        }
        int tokenWidth = shape.tokenWidth();
        float[] out = new float[tokenCount * tokenWidth];
        if (tokenCount == 0) {
            return out;
        }
        int h = shape.latentHeight();
        int w = shape.latentWidth();
        int tw = shape.tokenColumns();
        int end = firstToken + tokenCount;
        float[] twoRows = new float[2 * w];
        // A token row is a pair of latent rows; generate each pair once per channel, keep the wanted tokens.
        for (int ty = firstToken / tw; ty <= (end - 1) / tw; ty++) {
            int txFrom = Math.max(firstToken - ty * tw, 0);
            int txTo = Math.min(end - ty * tw, tw);
            for (int c = 0; c < shape.channels(); c++) {
                fill(seed, ((long) c * h + 2L * ty) * w, twoRows, 0, 2 * w);
                for (int tx = txFrom; tx < txTo; tx++) {
                    int o = (ty * tw + tx - firstToken) * tokenWidth + c * 4;
                    out[o] = twoRows[2 * tx];
                    out[o + 1] = twoRows[2 * tx + 1];
                    out[o + 2] = twoRows[w + 2 * tx];
                    out[o + 3] = twoRows[w + 2 * tx + 1];
                }
            }
        }
        return out;
    }
}
