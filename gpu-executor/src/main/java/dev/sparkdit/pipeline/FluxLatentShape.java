package dev.sparkdit.pipeline;

/**
 * How large FLUX.1's latent is for an image of {@code height x width} pixels.
 *
 * <pre>
 * unpacked latent  [16, height/8, width/8]                  what the VAE decodes (channel-major)
 * packed tokens    [(height/16) * (width/16), 64]           what the transformer sees: each token is a
 *                                                            2x2 patch of all 16 channels
 * </pre>
 *
 * diffusers' FluxPipeline floors sizes that are not multiples of 16 (with a warning) and then renders a
 * smaller image than asked for; here they are refused instead, so the size a prompt asks for is the
 * size it gets.
 *
 * @param height   image height in pixels, a positive multiple of 16
 * @param width    image width in pixels, a positive multiple of 16
 * @param channels the VAE's latent channels (16 for FLUX.1; the tiny test models have 4)
 * @param vaeScale pixels per latent position along each axis: FluxPipeline's vae_scale_factor,
 *                 2^(VAE blocks - 1) (8 for FLUX.1; 2 for the tiny test VAE)
 */
public record FluxLatentShape(int height, int width, int channels, int vaeScale) {
    /** Latent channels of the FLUX.1 VAE. */
    public static final int CHANNELS = 16;
    /** Pixels per latent position along each axis (the VAE's 8x compression). */
    public static final int VAE_SCALE = 8;
    /** Values per packed token: 16 channels x a 2x2 patch. */
    public static final int TOKEN_WIDTH = CHANNELS * 4;

    /** FLUX.1's 16 latent channels. */
    public FluxLatentShape(int height, int width) {
        this(height, width, CHANNELS, VAE_SCALE);
    }

    public FluxLatentShape {
        if (channels <= 0) {
            throw new IllegalArgumentException("latent channels must be positive, got " + channels);
        }
        if (vaeScale <= 0) {
            throw new IllegalArgumentException("VAE scale must be positive, got " + vaeScale);
        }
        if (height <= 0 || height % (2 * vaeScale) != 0) {
            throw new IllegalArgumentException("image height must be a positive multiple of " + 2 * vaeScale
                    + " pixels, got " + height);
        }
        if (width <= 0 || width % (2 * vaeScale) != 0) {
            throw new IllegalArgumentException("image width must be a positive multiple of " + 2 * vaeScale
                    + " pixels, got " + width);
        }
        // The canonical element index must fit in a long and the packed latent in one Java array.
        if ((long) height / vaeScale * (width / vaeScale) * channels > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("image " + width + "x" + height + " is too large: its latent has "
                    + (long) height / vaeScale * (width / vaeScale) * channels + " values, more than one Java array"
                    + " holds");
        }
    }

    /** height / vaeScale. */
    public int latentHeight() {
        return height / vaeScale;
    }

    /** width / vaeScale. */
    public int latentWidth() {
        return width / vaeScale;
    }

    /** Packed token rows: height / 16. */
    public int tokenRows() {
        return height / (2 * vaeScale);
    }

    /** Packed token columns: width / 16. */
    public int tokenColumns() {
        return width / (2 * vaeScale);
    }

    /** Image sequence length: (height / 16) x (width / 16), the {@code image_seq_len} of calculate_shift. */
    public int tokens() {
        return tokenRows() * tokenColumns();
    }

    /** Values per packed token: channels x a 2x2 patch (64 for FLUX.1). */
    public int tokenWidth() {
        return channels * 4;
    }

    /** Values in the latent: channels x (height / vaeScale) x (width / vaeScale), packed or not. */
    public int values() {
        return channels * latentHeight() * latentWidth();
    }
}
