package dev.sparkdit.images;

/**
 * Float RGB to 8-bit RGB, exactly as diffusers turns its {@code "pt"} output into the PIL image of
 * {@code output_type="pil"}: {@code VaeImageProcessor.denormalize} clamps to [0, 1], then
 * {@code numpy_to_pil} computes {@code (images * 255).round().astype("uint8")} on float32 values.
 *
 * <p>So: clamp, multiply by 255 in float32 (one rounding), then round half to even (numpy's
 * {@code round}): 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, 254.5 -> 254. Not {@code Math.round}, which rounds
 * halves up.
 */
public final class PixelBytes {
    private PixelBytes() {
    }

    /** One channel value to its byte value 0..255; NaN is refused (numpy's cast of NaN is undefined). */
    public static int toByte(float v) {
        if (Float.isNaN(v)) {
            throw new IllegalArgumentException("pixel value is NaN");
        }
        float clamped = Math.min(Math.max(v, 0f), 1f);
        float scaled = clamped * 255f;
        return (int) Math.rint(scaled);
    }

    /**
     * {@code [3, height, width]} channel-major floats (diffusers' {@code "pt"} layout, batch of one) to
     * {@code [height, width, 3]} interleaved bytes, row-major: the pixel order of a PNG scanline.
     */
    public static byte[] interleave(float[] chw, int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image size " + width + "x" + height + " must be positive");
        }
        long plane = (long) height * width;
        if (3 * plane != chw.length) {
            throw new IllegalArgumentException("an RGB image [3, " + height + ", " + width + "] has " + 3 * plane
                    + " values, the array has " + chw.length);
        }
        byte[] out = new byte[chw.length];
        for (int c = 0; c < 3; c++) {
            int base = (int) (c * plane);
            for (int p = 0; p < plane; p++) {
                float v = chw[base + p];
                if (Float.isNaN(v)) {
                    throw new IllegalArgumentException("pixel value NaN at channel " + c + ", y " + p / width
                            + ", x " + p % width + " of a " + width + "x" + height + " image");
                }
                out[3 * p + c] = (byte) toByte(v);
            }
        }
        return out;
    }
}
