package dev.sparkdit.pipeline;

/**
 * FLUX's 2x2 patch packing, exactly as diffusers' {@code FluxPipeline._pack_latents} and
 * {@code _unpack_latents} do it (batch of one).
 *
 * <pre>
 * unpacked [C, h, w]  (channel-major; h and w even)
 *   view    [C, h/2, 2, w/2, 2]
 *   permute [h/2, w/2, C, 2, 2]
 * packed   [(h/2) * (w/2), C * 4]
 *
 * packed[(y/2) * (w/2) + x/2][c * 4 + (y%2) * 2 + x%2] = unpacked[c][y][x]
 * </pre>
 *
 * Here {@code h, w} are latent sizes (image size / 8); diffusers' {@code _unpack_latents} takes the
 * image size and divides by the VAE scale itself.
 */
public final class LatentPacking {
    private LatentPacking() {
    }

    /** {@code [channels, h, w]} -> {@code [(h/2)*(w/2), channels*4]}. */
    public static float[] pack(float[] unpacked, int channels, int h, int w) {
        check(unpacked.length, channels, h, w, "unpacked");
        float[] packed = new float[unpacked.length];
        int tokenWidth = channels * 4;
        int tw = w / 2;
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) {
                int rowBase = (y / 2) * tw;
                int feature = c * 4 + (y % 2) * 2;
                int src = (c * h + y) * w;
                for (int x = 0; x < w; x++) {
                    packed[(rowBase + x / 2) * tokenWidth + feature + x % 2] = unpacked[src + x];
                }
            }
        }
        return packed;
    }

    /** {@code [(h/2)*(w/2), channels*4]} -> {@code [channels, h, w]}; the inverse of {@link #pack}. */
    public static float[] unpack(float[] packed, int channels, int h, int w) {
        check(packed.length, channels, h, w, "packed");
        float[] unpacked = new float[packed.length];
        int tokenWidth = channels * 4;
        int tw = w / 2;
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) {
                int rowBase = (y / 2) * tw;
                int feature = c * 4 + (y % 2) * 2;
                int dst = (c * h + y) * w;
                for (int x = 0; x < w; x++) {
                    unpacked[dst + x] = packed[(rowBase + x / 2) * tokenWidth + feature + x % 2];
                }
            }
        }
        return unpacked;
    }

    private static void check(int length, int channels, int h, int w, String what) {
        if (channels <= 0 || h <= 0 || w <= 0 || h % 2 != 0 || w % 2 != 0) {
            throw new IllegalArgumentException("latent [" + channels + ", " + h + ", " + w
                    + "]: channels must be > 0 and h, w positive and even");
        }
        if ((long) channels * h * w != length) {
            throw new IllegalArgumentException(what + " latent has " + length + " values; [" + channels + ", " + h
                    + ", " + w + "] needs " + (long) channels * h * w);
        }
    }
}
