package dev.sparkdit.job;

import dev.sparkdit.datasets.OnBadRow;
import dev.sparkdit.datasets.PromptRow;
import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.datasets.ResultStatus;
import dev.sparkdit.datasets.spark.PromptTable;
import dev.sparkdit.datasets.spark.ResultTable;
import dev.sparkdit.job.spark.JobRequest;
import dev.sparkdit.job.spark.SparkDitJob;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
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
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Spark job end to end in local mode: 2 groups x 2 ranks on the CPU backend (Gloo), the tiny random model, a
 * prompt table with a bad row; real PNGs and a result table read back row by row; a second run with --resume renders
 * nothing again.
 */
class LocalJobTest {
    @TempDir
    Path tmp;

    static final int SIZE = 32;

    private static JobRequest request(Path prompts, Path out, boolean resume) {
        return new JobRequest(prompts.toString(), out.toString(), "random:tiny", 2, 2, 2, 1,
                Map.of("sparkdit.backend", "cpu"), 7, SIZE, SIZE, 2, 3.5, 16, resume, OnBadRow.REJECT);
    }

    static Path promptTable(SparkSession spark, Path dir, List<PromptRow> rows) {
        Path table = dir.resolve("prompts");
        PromptTable.toDataFrame(spark, rows).write().mode(SaveMode.Overwrite).parquet(table.toString());
        return table;
    }

    @Test
    void twoGroupsOfTwoRanksRenderEveryPromptOnceAndResumeRendersNothing() throws Exception {
        SparkSession spark = TestSpark.session();
        List<PromptRow> rows = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            rows.add(PromptRow.of("p-" + i, "a tiny test prompt number " + i));
        }
        rows.add(new PromptRow("../evil/x", "a hostile id still gets a safe file name", null, 42L, null, null, null,
                null));
        rows.add(PromptRow.of("empty", " "));
        Path table = promptTable(spark, tmp, rows);
        Path out = tmp.resolve("out");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int status = SparkDitJob.run(request(table, out, false), new PrintStream(log, true, StandardCharsets.UTF_8));
        String printed = log.toString(StandardCharsets.UTF_8);
        assertEquals(1, status, "one row was rejected: " + printed);
        assertTrue(printed.contains("6 of 6 prompts ok"), printed);

        List<ResultRow> results = spark.read().parquet(out.resolve("results").toString()).collectAsList().stream()
                .map(ResultTable::fromRow).collect(Collectors.toList());
        assertEquals(6, results.size());
        Set<String> ids = new HashSet<>();
        Set<Integer> groups = new HashSet<>();
        for (ResultRow r : results) {
            assertTrue(ids.add(r.promptId()), "one row per prompt: " + r.promptId());
            assertEquals(ResultStatus.OK, r.status(), r.error());
            assertEquals(SIZE, r.width());
            assertEquals(2, r.steps());
            assertEquals(2, r.stepMs().size());
            assertEquals("ulysses 2 x ring 1", r.parallelPlan());
            assertTrue(r.totalMs() > 0 && r.denoiseMs() > 0 && r.decodeMs() > 0, r.toString());
            groups.add(r.group());
            Path png = Path.of(URI.create(r.imageUri()));
            assertTrue(png.getParent().equals(out.resolve("images").toAbsolutePath()), png.toString());
            BufferedImage img = ImageIO.read(png.toFile());
            assertEquals(SIZE, img.getWidth());
        }
        assertEquals(Set.of(0, 1), groups, "both groups rendered");
        assertEquals(42L, results.stream().filter(r -> r.promptId().equals("../evil/x")).findFirst().get().seed());
        List<Row> rejects = spark.read().parquet(out.resolve("rejects").toString()).collectAsList();
        assertEquals(1, rejects.size());
        assertTrue(rejects.get(0).getAs("reason").toString().contains("prompt"), rejects.get(0).toString());
        try (Stream<Path> files = Files.list(out.resolve("images"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertEquals(6, names.size(), "no temporary or duplicate files: " + names);
        }

        IllegalArgumentException again = assertThrows(IllegalArgumentException.class,
                () -> SparkDitJob.run(request(table, out, false), new PrintStream(new ByteArrayOutputStream())));
        assertTrue(again.getMessage().contains("--resume"), again.getMessage());

        ByteArrayOutputStream log2 = new ByteArrayOutputStream();
        SparkDitJob.run(request(table, out, true), new PrintStream(log2, true, StandardCharsets.UTF_8));
        String printed2 = log2.toString(StandardCharsets.UTF_8);
        assertTrue(printed2.contains("(0 rendered now, 6 from earlier runs)"), printed2);
        assertEquals(6, spark.read().parquet(out.resolve("results").toString()).count());
    }
}
