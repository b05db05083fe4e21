package dev.sparkdit.images;

import dev.sparkdit.io.AtomicFiles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.stream.IntStream;
import java.util.zip.Deflater;

/**
 * A rendered image as an 8-bit RGB PNG with its generation parameters.
 *
 * <p>{@link #encode} makes the file's bytes and nothing else, so the job can store them through any
 * file system API; {@link #write} puts them on a local path atomically ({@link AtomicFiles}).
 *
 * <pre>
 * input   float [3, height, width], channel-major, values in [0, 1]   (diffusers' output_type="pt")
 * pixels  clamp, x255 in float32, round half to even                  (its output_type="pil", {@link PixelBytes})
 * file    signature | IHDR (8-bit truecolour, no interlace) | tEXt or iTXt "parameters" | IDAT... | IEND
 * </pre>
 *
 * Scanlines are filtered adaptively per row ({@link ScanlineFilter}) and deflated at zlib's default
 * level 6 in bands of {@value #BAND_ROWS} rows on all cores ({@link BandedZlib}); IDAT data is split into chunks of at most {@value #IDAT_CHUNK_BYTES} bytes.
 */
public final class PngWriter {
    /** The tEXt/iTXt keyword image tools read generation parameters from. */
    public static final String PARAMETERS_KEYWORD = "parameters";
    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    static final int IDAT_CHUNK_BYTES = 1 << 20;
    private static final int BYTES_PER_PIXEL = 3;

    private PngWriter() {
    }

    /** The PNG file's bytes for {@code rgb} ({@code [3, height, width]}, values in [0, 1]). */
    public static byte[] encode(float[] rgb, int height, int width, GenerationParameters parameters) {
        return encode(rgb, height, width, parameters, null);
    }

    /** As {@link #encode(float[], int, int, GenerationParameters)} with one filter for every row (tests). */
    static byte[] encode(float[] rgb, int height, int width, GenerationParameters parameters,
                         ScanlineFilter onlyFilter) {
        Objects.requireNonNull(rgb, "rgb");
        Objects.requireNonNull(parameters, "parameters");
        if ((long) width * BYTES_PER_PIXEL + 1 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("image width " + width + " is too large for one scanline buffer");
        }
        byte[] pixels = PixelBytes.interleave(rgb, height, width);
        ByteArrayOutputStream out = new ByteArrayOutputStream(pixels.length / 2 + 1024);
        out.writeBytes(SIGNATURE);
        PngChunks.write(out, "IHDR", header(width, height));
        PngChunks.writeText(out, PARAMETERS_KEYWORD, parameters.infotext());
        byte[] compressed = deflateScanlines(pixels, height, width, onlyFilter);
        for (int at = 0; at < compressed.length; at += IDAT_CHUNK_BYTES) {
            PngChunks.write(out, "IDAT", compressed, at, Math.min(IDAT_CHUNK_BYTES, compressed.length - at));
        }
        PngChunks.write(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** Encodes and writes to {@code target} atomically; see {@link AtomicFiles#write}. */
    public static void write(Path target, float[] rgb, int height, int width, GenerationParameters parameters)
            throws IOException {
        AtomicFiles.write(target, encode(rgb, height, width, parameters));
    }

    private static byte[] header(int width, int height) {
        ByteArrayOutputStream h = new ByteArrayOutputStream(13);
        PngChunks.writeInt(h, width);
        PngChunks.writeInt(h, height);
        h.write(8); // bit depth
        h.write(2); // colour type: truecolour (RGB)
        h.write(0); // compression: deflate
        h.write(0); // filter method: adaptive, five types
        h.write(0); // no interlace
        return h.toByteArray();
    }

    /** Rows per independently deflated band: 3 * 128 * 1024 bytes at 1024 wide. */
    static final int BAND_ROWS = 128;

    private static byte[] deflateScanlines(byte[] pixels, int height, int width, ScanlineFilter onlyFilter) {
        int rowBytes = width * BYTES_PER_PIXEL;
        int bands = (height + BAND_ROWS - 1) / BAND_ROWS;
        byte[][] filtered = new byte[bands][];
        // Each row's filter reads the raw row above it, never a filtered one, so bands filter independently.
        IntStream.range(0, bands).parallel().forEach(b -> {
            int from = b * BAND_ROWS;
            int to = Math.min(height, from + BAND_ROWS);
            byte[] band = new byte[(to - from) * (rowBytes + 1)];
            byte[] row = new byte[rowBytes];
            byte[] previous = new byte[rowBytes];
            byte[] out = new byte[rowBytes + 1];
            byte[] scratch = new byte[rowBytes + 1];
            if (from > 0) {
                System.arraycopy(pixels, (from - 1) * rowBytes, previous, 0, rowBytes);
            }
            for (int y = from; y < to; y++) {
                System.arraycopy(pixels, y * rowBytes, row, 0, rowBytes);
                if (onlyFilter == null) {
                    ScanlineFilter.applyBest(row, previous, BYTES_PER_PIXEL, out, scratch);
                } else {
                    onlyFilter.apply(row, previous, BYTES_PER_PIXEL, out);
                }
                System.arraycopy(out, 0, band, (y - from) * (rowBytes + 1), rowBytes + 1);
                byte[] swap = previous;
                previous = row;
                row = swap;
            }
            filtered[b] = band;
        });
        return BandedZlib.compress(filtered, Deflater.DEFAULT_COMPRESSION);
    }
}
