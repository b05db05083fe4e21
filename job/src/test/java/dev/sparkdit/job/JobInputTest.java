package dev.sparkdit.job;

import dev.sparkdit.cli.Main;
import dev.sparkdit.datasets.ImageNames;
import dev.sparkdit.datasets.PromptRow;
import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.datasets.ResultStatus;
import dev.sparkdit.datasets.spark.ResultTable;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input to {@code sparkdit run} in local mode, through the command line as users meet it: an unreadable prompt
 * table and a model folder missing a part fail on the driver with one line naming the bad path, before any stage
 * runs and before anything is written; hostile prompt ids render to safe, distinct files whose URIs the rows hold.
 */
class JobInputTest {
    @TempDir
    Path tmp;

    /** {@code sparkdit run} with the test's output; returns {exit status, what it printed}. */
    private static Object[] run(String prompts, Path out, String model, String... more) {
        List<String> args = new ArrayList<>(List.of("run", "--prompts", prompts, "--output", out.toString(), "--model",
                model, "--backend", "cpu", "--width", "16", "--height", "16", "--steps", "1",
                "--max-sequence-length", "16"));
        args.addAll(List.of(more));
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int status = Main.run(args.toArray(String[]::new), new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));
        return new Object[] {status, stdout.toString(StandardCharsets.UTF_8) + stderr.toString(StandardCharsets.UTF_8)};
    }

    private static Path tinyModelFolder(Path dir) {
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(said, true, StandardCharsets.UTF_8);
        int status = Main.run(new String[] {"make-random-model", "--preset", "tiny", "--out", dir.toString(), "--dtype",
                "f32"}, p, p);
        assertEquals(0, status, said.toString(StandardCharsets.UTF_8));
        return dir;
    }

    @Test
    void anUnreadablePromptTableFailsInOneLineNamingItBeforeAnythingIsWritten() throws Exception {
        SparkSession spark = TestSpark.session();
        Path out = tmp.resolve("out");

        Path missing = tmp.resolve("no-such-table");
        Object[] r = run(missing.toString(), out, "random:tiny");
        String said = (String) r[1];
        assertEquals(2, r[0], said);
        assertTrue(said.contains("run: cannot read prompt table at " + missing + ": no such file or directory"), said);

        Path text = tmp.resolve("prompts.parquet");
        Files.writeString(text, "prompt_id,prompt\np-1,a cat\n");
        r = run(text.toString(), out, "random:tiny");
        said = (String) r[1];
        assertEquals(2, r[0], said);
        assertTrue(said.contains("run: cannot read prompt table at " + text + ": not a readable Parquet table"), said);

        for (String s : new String[] {said}) {
            assertFalse(s.contains("\tat "), "no stack trace: " + s);
        }
        assertFalse(Files.exists(out), "nothing written under --output");
        assertTrue(spark.sparkContext().statusTracker().getActiveStageIds().length == 0);
    }

    @Test
    void aModelFolderMissingAPartIsNamedOnTheDriverBeforeTheStage() throws Exception {
        SparkSession spark = TestSpark.session();
        Path model = tinyModelFolder(tmp.resolve("tiny"));
        Path part = model.resolve("vae").resolve("diffusion_pytorch_model.safetensors");
        assertTrue(Files.isRegularFile(part), "make-random-model wrote " + part);
        Files.delete(part);
        Path table = LocalJobTest.promptTable(spark, tmp, List.of(PromptRow.of("p-1", "a tiny test prompt")));
        Path out = tmp.resolve("out");
        Object[] r = run(table.toString(), out, model.toString());
        String said = (String) r[1];
        System.out.println("JobInputTest: a missing model part: " + said);
        assertEquals(2, r[0], said);
        assertTrue(said.contains("run: model folder " + model + " cannot be used"), said);
        assertTrue(said.contains("vae/") && said.contains("diffusion_pytorch_model"), "names the missing file: " + said);
        assertFalse(said.contains("\tat ") || said.toLowerCase().contains("barrier"), "on the driver: " + said);
        assertFalse(Files.exists(out), "checked before the stage: nothing written under --output");
    }

    @Test
    void hostileIdsRenderToSafeDistinctFilesThatTheirRowsPointTo() throws Exception {
        SparkSession spark = TestSpark.session();
        Path model = tinyModelFolder(tmp.resolve("tiny"));
        String longId = "x".repeat(10_000);
        List<String> ids = List.of("../x", "/", "a/b", "..", "猫/🐱", longId, longId.substring(1) + "y", "Cat", "cat",
                "../../escape");
        List<PromptRow> rows = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            rows.add(PromptRow.of(ids.get(i), "a tiny test prompt number " + i));
        }
        Path table = LocalJobTest.promptTable(spark, tmp, rows);
        Path out = tmp.resolve("out");
        Object[] r = run(table.toString(), out, model.toString(), "--groups", "2");
        String said = (String) r[1];
        assertEquals(0, r[0], said);
        assertTrue(said.contains(ids.size() + " of " + ids.size() + " prompts ok"), said);

        List<ResultRow> results = spark.read().parquet(out.resolve("results").toString()).collectAsList().stream()
                .map(ResultTable::fromRow).collect(Collectors.toList());
        assertEquals(ids.size(), results.size());
        Path images = out.resolve("images").toAbsolutePath();
        Set<String> seen = new HashSet<>();
        for (ResultRow row : results) {
            assertTrue(ids.contains(row.promptId()), "the id comes back exactly: " + row.promptId().length() + " chars");
            assertTrue(seen.add(row.promptId()), "one row per id");
            assertEquals(ResultStatus.OK, row.status(), row.error());
            Path png = Path.of(URI.create(row.imageUri()));
            assertEquals(images, png.getParent(), row.imageUri());
            assertEquals(ImageNames.fileName(row.promptId()), png.getFileName().toString());
            BufferedImage img = ImageIO.read(png.toFile());
            assertEquals(16, img.getWidth());
        }
        try (Stream<Path> files = Files.list(images)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertEquals(ids.size(), new HashSet<>(names).size(), "one distinct file per id: " + names);
            assertEquals(ids.size(), names.size(), names.toString());
        }
        // Nothing landed beside the output or the table ("../x", "../../escape").
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(Set.of("tiny", "prompts", "out"), files.map(p -> p.getFileName().toString())
                    .collect(Collectors.toSet()));
        }
        try (Stream<Path> files = Files.list(out)) {
            Set<String> top = files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
            assertEquals(Set.of("images", "results", "rejects", "_rows", "_work", "_progress"), top);
        }
    }
}
