package dev.sparkdit.cli;

import dev.sparkdit.json.Json;
import dev.sparkdit.pipeline.ModelFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MakeRandomModelCommandTest {
    @TempDir
    Path tmp;

    private static ParityCommandTest.Result run(String... args) {
        return ParityCommandTest.run(args);
    }

    private static Path png(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> pngs = s.filter(p -> p.toString().endsWith(".png")).toList();
            assertEquals(1, pngs.size(), pngs.toString());
            return pngs.get(0);
        }
    }

    private static int[] pixels(Path png) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    private ParityCommandTest.Result render(String model, Path out) {
        return run("render", "--model", model, "--prompt", "a red fox in the snow", "--width", "32", "--height", "32",
                "--steps", "1", "--backend", "cpu", "--out", out.toString());
    }

    @Test
    void theTinyFolderOpensAndRenders() throws Exception {
        Path dir = tmp.resolve("tiny");
        ParityCommandTest.Result made = run("make-random-model", "--preset", "tiny", "--out", dir.toString());
        assertEquals(0, made.status(), made.err());
        assertTrue(made.out().startsWith("wrote " + dir + ": "), made.out());
        assertTrue(made.err().contains("make-random-model: transformer: 3.69 MB in 1 file(s)"), made.err());
        ModelFolder.open(dir);

        ParityCommandTest.Result r = render(dir.toString(), tmp.resolve("images"));
        assertEquals(0, r.status(), r.err());
        Path png = png(tmp.resolve("images"));
        assertEquals(32, ImageIO.read(png.toFile()).getWidth());
        Map<String, Object> row = Json.asMap(Json.parse(r.out().strip()), "row");
        assertEquals("tiny", row.get("model"));
    }

    /** In f32 the folder holds random:tiny's values exactly: the same image, pixel for pixel. */
    @Test
    void anF32FolderRendersWhatRandomTinyRenders() throws Exception {
        Path dir = tmp.resolve("tiny-f32");
        ParityCommandTest.Result made = run("make-random-model", "--preset", "tiny", "--dtype", "f32", "--out",
                dir.toString(), "--max-shard-size", "1MB", "--threads", "3");
        assertEquals(0, made.status(), made.err());
        assertTrue(Files.isRegularFile(dir.resolve("transformer/diffusion_pytorch_model.safetensors.index.json")));
        ParityCommandTest.Result fromFolder = render(dir.toString(), tmp.resolve("folder"));
        assertEquals(0, fromFolder.status(), fromFolder.err());
        ParityCommandTest.Result fromPreset = render("random:tiny", tmp.resolve("preset"));
        assertEquals(0, fromPreset.status(), fromPreset.err());
        assertArrayEquals(pixels(png(tmp.resolve("preset"))), pixels(png(tmp.resolve("folder"))));
    }

    @Test
    void aNonEmptyFolderIsRefusedWithoutForce() throws Exception {
        Path dir = tmp.resolve("busy");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("notes.txt"), "mine");
        ParityCommandTest.Result r = run("make-random-model", "--preset", "tiny", "--out", dir.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(dir + " exists and is not empty; pass --force"), r.err());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "nothing written");
        }
        ParityCommandTest.Result forced = run("make-random-model", "--preset", "tiny", "--out", dir.toString(),
                "--force");
        assertEquals(0, forced.status(), forced.err());
        assertEquals("mine", Files.readString(dir.resolve("notes.txt")), "other files are left alone");
        ModelFolder.open(dir);

        Path file = tmp.resolve("file");
        Files.writeString(file, "x");
        ParityCommandTest.Result notFolder = run("make-random-model", "--preset", "tiny", "--out", file.toString(),
                "--force");
        assertEquals(2, notFolder.status());
        assertTrue(notFolder.err().contains("exists and is not a folder"), notFolder.err());
    }

    @Test
    void badValuesAreNamed() {
        Path dir = tmp.resolve("x");
        ParityCommandTest.Result preset = run("make-random-model", "--preset", "large", "--out", dir.toString());
        assertEquals(2, preset.status());
        assertTrue(preset.err().contains("--preset must be one of dev, schnell, tiny, got 'large'"), preset.err());
        ParityCommandTest.Result dtype = run("make-random-model", "--preset", "tiny", "--dtype", "f16", "--out",
                dir.toString());
        assertEquals(2, dtype.status());
        assertTrue(dtype.err().contains("--dtype must be bf16 or f32, got 'f16'"), dtype.err());
        ParityCommandTest.Result size = run("make-random-model", "--preset", "tiny", "--max-shard-size", "5 apples",
                "--out", dir.toString());
        assertEquals(2, size.status());
        assertTrue(size.err().contains("--max-shard-size must be a size"), size.err());
        assertEquals(5_000_000_000L, MakeRandomModelCommand.parseSize("5GB"));
        assertEquals(2L << 30, MakeRandomModelCommand.parseSize("2GiB"));
        assertEquals(500_000_000L, MakeRandomModelCommand.parseSize("500mb"));
        assertEquals(1234L, MakeRandomModelCommand.parseSize("1234"));
        assertTrue(Files.notExists(dir));
        ParityCommandTest.Result help = run("make-random-model", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("default: 5GB") && help.out().contains("default: 1234"), help.out());
        ParityCommandTest.Result all = run("--help");
        assertTrue(all.out().contains("make-random-model") && all.out().contains("load-model"), all.out());
    }

    @Test
    void loadModelReportsEachPart() throws Exception {
        Path dir = tmp.resolve("tiny");
        assertEquals(0, run("make-random-model", "--preset", "tiny", "--out", dir.toString()).status());
        ParityCommandTest.Result r = run("load-model", "--model", dir.toString(), "--backend", "cpu", "--json");
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertEquals(5, lines.size(), r.out());
        List<Object> parts = lines.stream().map(l -> Json.asMap(Json.parse(l), "row").get("part")).toList();
        assertEquals(List.of("transformer", "text_encoder", "text_encoder_2", "vae", "total"), parts);
        Map<String, Object> transformer = Json.asMap(Json.parse(lines.get(0)), "row");
        assertTrue(Json.asLong(transformer.get("bytes"), "bytes") > 7_000_000, lines.get(0)); // f32 on the CPU
        assertEquals("cpu", transformer.get("backend"));
        assertTrue(r.err().contains("load-model: model folder " + dir), r.err());

        ParityCommandTest.Result text = run("load-model", "--model", dir.toString(), "--backend", "cpu");
        assertEquals(0, text.status(), text.err());
        assertTrue(text.out().lines().anyMatch(l -> l.matches("total +[0-9.]+ MB +[0-9.]+ s +[0-9.]+ GB/s")),
                text.out());
    }
}
