package dev.sparkdit.job.cluster;

import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.datasets.ResultStatus;
import dev.sparkdit.datasets.spark.ResultTable;
import org.apache.spark.sql.SparkSession;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a finished job left under its output folder, checked against the prompts it was given. */
public final class JobOutput {
    private JobOutput() {
    }

    /** The result table, read back. */
    public static List<ResultRow> results(SparkSession spark, Path out) {
        return spark.read().parquet(out.resolve("results").toString()).collectAsList().stream()
                .map(ResultTable::fromRow).collect(Collectors.toList());
    }

    /**
     * Exactly one row per prompt id, no row for anything else, every row ok with a readable {@code size x size}
     * PNG under {@code out/images}, and one image file per prompt. Returns the rows by prompt id.
     */
    public static Map<String, ResultRow> assertEveryPromptOnceOk(List<ResultRow> rows, Collection<String> promptIds,
                                                                 Path out, int size) throws IOException {
        Map<String, ResultRow> byId = new HashMap<>();
        for (ResultRow r : rows) {
            assertTrue(byId.put(r.promptId(), r) == null, "two rows for prompt " + r.promptId());
            assertTrue(promptIds.contains(r.promptId()), "a row for a prompt not in the table: " + r.promptId());
            assertEquals(ResultStatus.OK, r.status(), r.promptId() + ": " + r.error());
            assertEquals(size, r.width(), r.promptId());
            assertEquals(size, r.height(), r.promptId());
            Path png = Path.of(URI.create(r.imageUri()));
            assertEquals(out.resolve("images").toAbsolutePath(), png.getParent(), r.imageUri());
            BufferedImage img = ImageIO.read(png.toFile());
            assertNotNull(img, "not a readable PNG: " + png);
            assertEquals(size, img.getWidth(), png.toString());
            assertEquals(size, img.getHeight(), png.toString());
        }
        assertEquals(new TreeSet<>(promptIds), new TreeSet<>(byId.keySet()), "one row per prompt");
        try (Stream<Path> files = Files.list(out.resolve("images"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(promptIds.size(), names.size(), "one image per prompt, nothing else: " + names);
        }
        return byId;
    }

    /** No file anywhere under {@code out} carries the temporary prefix of an atomic write ({@code ._tmp-}). */
    public static void assertNoTemporaryFiles(Path out) throws IOException {
        try (Stream<Path> all = Files.walk(out)) {
            List<Path> tmp = all.filter(p -> p.getFileName().toString().startsWith("._tmp-")).toList();
            assertTrue(tmp.isEmpty(), "temporary files left: " + tmp);
        }
    }

    /** Files directly in {@code dir} (none when it does not exist), temporary ones included. */
    public static List<Path> filesIn(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    /** Waits until {@code images} holds {@code n} finished PNGs while the job's driver runs. */
    public static void awaitImages(Path images, int n, ChildJvm driver) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (filesIn(images).stream().map(p -> p.getFileName().toString())
                .filter(f -> f.endsWith(".png") && !f.startsWith("._tmp-")).count() < n) {
            assertTrue(driver.isAlive(), "the job ended before writing " + n + " images: " + driver.summary());
            assertTrue(System.nanoTime() < deadline, "no " + n + " images in 3 minutes: " + driver.summary());
            Thread.sleep(50);
        }
    }
}
