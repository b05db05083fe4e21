package dev.sparkdit.images;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BandedZlibTest {
    /** zlib's own inflater, which also checks the stream's Adler-32 and refuses a stream that does not end. */
    private static byte[] inflate(byte[] zlib) throws DataFormatException {
        Inflater inflater = new Inflater();
        inflater.setInput(zlib);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (!inflater.finished()) {
            int n = inflater.inflate(buffer);
            assertTrue(n > 0 || !inflater.needsInput(), "stream ended before its final block");
            out.write(buffer, 0, n);
        }
        assertTrue(inflater.getRemaining() == 0, inflater.getRemaining() + " bytes after the stream's end");
        inflater.end();
        return out.toByteArray();
    }

    @Test
    void bandsInflateToTheirConcatenation() throws DataFormatException {
        Random r = new Random(5);
        byte[][] bands = new byte[7][];
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        for (int i = 0; i < bands.length; i++) {
            // Mixed: incompressible, repetitive, empty, and one larger than Deflater's 64 KiB output buffer.
            bands[i] = new byte[i == 3 ? 0 : i == 5 ? 300_000 : 1000 + 997 * i];
            if (i % 2 == 0) {
                r.nextBytes(bands[i]);
            } else {
                Arrays.fill(bands[i], (byte) i);
            }
            whole.writeBytes(bands[i]);
        }
        assertArrayEquals(whole.toByteArray(), inflate(BandedZlib.compress(bands, Deflater.DEFAULT_COMPRESSION)));
    }

    @Test
    void oneBandIsAPlainZlibStream() throws DataFormatException {
        byte[] data = "a lighthouse at dusk".repeat(100).getBytes();
        assertArrayEquals(data, inflate(BandedZlib.compress(new byte[][] {data}, 1)));
    }

    @Test
    void imagesAcrossBandBoundariesDecodeExactly() throws IOException {
        // The Up filter reads the row above: the first row of each band must see the last raw row of the one before.
        for (int h : new int[] {PngWriter.BAND_ROWS, PngWriter.BAND_ROWS + 1, 2 * PngWriter.BAND_ROWS + 37}) {
            int w = 3;
            float[] rgb = new float[3 * h * w];
            Random r = new Random(h);
            for (int i = 0; i < rgb.length; i++) {
                rgb[i] = r.nextInt(256) / 255f;
            }
            GenerationParameters p = new GenerationParameters("bands", 1L, 1, 1.0, w, h, "m", "v");
            byte[] adaptive = PngWriter.encode(rgb, h, w, p);
            byte[] up = PngWriter.encode(rgb, h, w, p, ScanlineFilter.UP);
            BufferedImage a = ImageIO.read(new ByteArrayInputStream(adaptive));
            BufferedImage b = ImageIO.read(new ByteArrayInputStream(up));
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int expected = 0xFF000000 | Math.round(rgb[y * w + x] * 255) << 16
                            | Math.round(rgb[h * w + y * w + x] * 255) << 8 | Math.round(rgb[2 * h * w + y * w + x] * 255);
                    assertTrue(a.getRGB(x, y) == expected && b.getRGB(x, y) == expected,
                            "h " + h + " pixel " + x + "," + y);
                }
            }
        }
    }
}
