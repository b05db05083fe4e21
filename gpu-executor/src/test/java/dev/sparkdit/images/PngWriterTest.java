package dev.sparkdit.images;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PngWriterTest {
    private static final GenerationParameters PARAMS = new GenerationParameters(
            "a lighthouse at dusk, oil painting", 42L, 28, 3.5, 7, 5, "FLUX.1-dev", "SparkDiT 0.1.0");

    /** A [3, h, w] image of levels k/255 (random, with smooth rows too), and the levels it must decode to. */
    private static int[] levels(int h, int w, long seed) {
        Random r = new Random(seed);
        int[] k = new int[3 * h * w];
        for (int i = 0; i < k.length; i++) {
            k[i] = (i / w) % 3 == 0 ? (i * 7) % 256 : r.nextInt(256);
        }
        return k;
    }

    private static float[] floats(int[] levels) {
        float[] f = new float[levels.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = levels[i] / 255f;
        }
        return f;
    }

    private static void assertDecodesTo(byte[] png, int[] levels, int h, int w) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertNotNull(img, "ImageIO could not read the PNG");
        assertEquals(w, img.getWidth());
        assertEquals(h, img.getHeight());
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = img.getRGB(x, y);
                int p = y * w + x;
                int expected = 0xFF000000 | levels[p] << 16 | levels[h * w + p] << 8 | levels[2 * h * w + p];
                assertEquals(Integer.toHexString(expected), Integer.toHexString(argb), "pixel x " + x + ", y " + y);
            }
        }
    }

    @Test
    void imageIoReadsBackTheExactPixels() throws IOException {
        int h = 5;
        int w = 7;
        int[] k = levels(h, w, 1);
        byte[] png = PngWriter.encode(floats(k), h, w, PARAMS);
        assertDecodesTo(png, k, h, w);
    }

    @Test
    void everyScanlineFilterDecodesCorrectly() throws IOException {
        int h = 9;
        int w = 13;
        int[] k = levels(h, w, 2);
        for (ScanlineFilter f : ScanlineFilter.values()) {
            assertDecodesTo(PngWriter.encode(floats(k), h, w, PARAMS, f), k, h, w);
        }
    }

    @Test
    void largeImagesSpanSeveralIdatChunks() throws IOException {
        // Random pixels do not compress: ~3 MiB of IDAT data.
        int h = 600;
        int w = 640;
        int[] k = new int[3 * h * w];
        Random r = new Random(3);
        for (int i = 0; i < k.length; i++) {
            k[i] = r.nextInt(256);
        }
        byte[] png = PngWriter.encode(floats(k), h, w, PARAMS);
        long idats = PngTestFiles.chunks(png).stream().filter(c -> c.type().equals("IDAT")).count();
        assertTrue(idats >= 2, idats + " IDAT chunks");
        assertDecodesTo(png, k, h, w);
    }

    @Test
    void chunksAreWellFormedAndInOrder() throws IOException {
        List<PngTestFiles.Chunk> chunks = PngTestFiles.chunks(PngWriter.encode(floats(levels(5, 7, 1)), 5, 7, PARAMS));
        assertEquals("IHDR", chunks.get(0).type());
        assertEquals("IEND", chunks.get(chunks.size() - 1).type());
        byte[] ihdr = chunks.get(0).data();
        assertEquals(13, ihdr.length);
        assertEquals(7, ihdr[3]);
        assertEquals(5, ihdr[7]);
        assertEquals(8, ihdr[8]); // bit depth
        assertEquals(2, ihdr[9]); // truecolour
    }

    @Test
    void parametersTextCarriesEveryField() throws IOException {
        String text = PngTestFiles.text(PngTestFiles.chunks(PngWriter.encode(floats(levels(5, 7, 1)), 5, 7, PARAMS)),
                "parameters");
        assertEquals("a lighthouse at dusk, oil painting\nSteps: 28, Sampler: FlowMatch Euler, CFG scale: 1, "
                + "Guidance: 3.5, Seed: 42, Size: 7x5, Model: FLUX.1-dev, Version: SparkDiT 0.1.0", text);
        Map<String, String> f = parse(text);
        assertEquals("a lighthouse at dusk, oil painting", f.get("Prompt"));
        assertEquals("28", f.get("Steps"));
        assertEquals("FlowMatch Euler", f.get("Sampler"));
        assertEquals("1", f.get("CFG scale"));
        assertEquals("3.5", f.get("Guidance"));
        assertEquals("42", f.get("Seed"));
        assertEquals("7x5", f.get("Size"));
        assertEquals("FLUX.1-dev", f.get("Model"));
        assertEquals("SparkDiT 0.1.0", f.get("Version"));
    }

    @Test
    void unicodePromptGoesIntoAnItxtChunkAsUtf8() throws IOException {
        String prompt = "東京の夜景, ネオン 🌃\nzweite Zeile: Grüße";
        GenerationParameters p = new GenerationParameters(prompt, -7L, 4, 0, 16, 16, "FLUX.1-schnell",
                "SparkDiT 0.1.0");
        byte[] png = PngWriter.encode(new float[3 * 16 * 16], 16, 16, p);
        List<PngTestFiles.Chunk> chunks = PngTestFiles.chunks(png);
        assertTrue(chunks.stream().anyMatch(c -> c.type().equals("iTXt")));
        assertTrue(chunks.stream().noneMatch(c -> c.type().equals("tEXt")));
        Map<String, String> f = parse(PngTestFiles.text(chunks, "parameters"));
        assertEquals(prompt, f.get("Prompt"));
        assertEquals("-7", f.get("Seed"));
        assertEquals("4", f.get("Steps"));
        assertEquals("0", f.get("Guidance"));
        assertEquals("16x16", f.get("Size"));
        assertEquals("FLUX.1-schnell", f.get("Model"));
        // And an independent reader agrees.
        assertEquals(p.infotext(), imageIoText(png, "iTXt"));
    }

    @Test
    void latin1PromptStaysInTextChunk() throws IOException {
        GenerationParameters p = new GenerationParameters("café crème, 25 °C", 1L, 28, 3.5, 16, 16, "FLUX.1-dev",
                "SparkDiT 0.1.0");
        byte[] png = PngWriter.encode(new float[3 * 16 * 16], 16, 16, p);
        assertTrue(PngTestFiles.chunks(png).stream().anyMatch(c -> c.type().equals("tEXt")));
        assertEquals(p.infotext(), imageIoText(png, "tEXt"));
        // A tab is Latin-1 but not allowed in tEXt: it goes to iTXt.
        GenerationParameters tab = new GenerationParameters("a\tb", 1L, 28, 3.5, 16, 16, "FLUX.1-dev", "SparkDiT 0.1.0");
        assertTrue(PngTestFiles.chunks(PngWriter.encode(new float[3 * 16 * 16], 16, 16, tab)).stream()
                .anyMatch(c -> c.type().equals("iTXt")));
    }

    /** The "parameters" text as ImageIO's own PNG reader reports it. */
    private static String imageIoText(byte[] png, String chunk) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
            try {
                reader.setInput(in);
                IIOMetadata meta = reader.getImageMetadata(0);
                Element root = (Element) meta.getAsTree("javax_imageio_png_1.0");
                NodeList entries = root.getElementsByTagName(chunk + "Entry");
                for (int i = 0; i < entries.getLength(); i++) {
                    Element e = (Element) entries.item(i);
                    if ("parameters".equals(e.getAttribute("keyword"))) {
                        return chunk.equals("iTXt") ? e.getAttribute("text") : e.getAttribute("value");
                    }
                }
                return null;
            } finally {
                reader.dispose();
            }
        }
    }

    private static final Pattern FIELD = Pattern.compile("(\\w[\\w \\-/]*): (\"(?:\\\\.|[^\"\\\\])*\"|[^,]*)(?:, |$)");

    /** Reads the text the way AUTOMATIC1111-style readers do: prompt lines, then the last line's fields. */
    static Map<String, String> parse(String text) {
        int lastNewline = text.lastIndexOf('\n');
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Prompt", text.substring(0, lastNewline));
        Matcher m = FIELD.matcher(text.substring(lastNewline + 1));
        while (m.find()) {
            String v = m.group(2);
            if (v.startsWith("\"")) {
                try {
                    v = new com.fasterxml.jackson.databind.ObjectMapper().readValue(v, String.class);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            fields.put(m.group(1), v);
        }
        return fields;
    }
}
