package dev.sparkdit.job;

import dev.sparkdit.datasets.PromptRow;
import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.job.cluster.ChildJvm;
import dev.sparkdit.job.cluster.FakeSparkHome;
import dev.sparkdit.job.cluster.JavaCppCache;
import dev.sparkdit.job.cluster.JobOutput;
import dev.sparkdit.job.cluster.SparkSubmitRun;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The driver killed halfway (SIGKILL of a {@code SparkSubmit} in local mode, its tasks with it, once images exist),
 * then the same job again with {@code --resume}: it renders only the prompts without a stored row, leaves the
 * images of the others untouched (same modification time), removes the temporary files that writes cut off by the
 * kill leave, and ends with exactly one ok row and one image per prompt.
 */
class DriverKilledResumeTest {
    @TempDir
    Path tmp;

    static final int PROMPTS = 12;

    @Test
    void aKilledJobResumedRendersOnlyWhatIsMissing() throws Exception {
        SparkSession spark = TestSpark.session();
        List<PromptRow> rows = new ArrayList<>();
        for (int i = 0; i < PROMPTS; i++) {
            rows.add(PromptRow.of("resume-" + i, "a paper boat on a pond, picture " + i));
        }
        Path table = LocalJobTest.promptTable(spark, tmp, rows);
        Path out = tmp.resolve("out");
        Path logs = Path.of("target", "child-jvms", "DriverKilledResumeTest").toAbsolutePath();
        Path sparkHome = FakeSparkHome.create(logs.resolve("spark-home"));
        JavaCppCache.fill();

        try (ChildJvm driver = new SparkSubmitRun("local[2,1]", table, out, 1, 2).start("driver-killed", sparkHome,
                logs)) {
            JobOutput.awaitImages(out.resolve("images"), 4, driver);
            driver.kill();
            assertFalse(driver.isAlive());
        }
        // What the killed run finished: its rows, and the images they name.
        Map<String, FileTime> stored = new HashMap<>();
        for (Path row : JobOutput.filesIn(out.resolve("_rows"))) {
            String name = row.getFileName().toString();
            if (!name.startsWith("._tmp-")) {
                String image = name.substring(0, name.length() - ".json".length()) + ".png";
                stored.put(image, Files.getLastModifiedTime(out.resolve("images").resolve(image)));
            }
        }
        int before = stored.size();
        assertTrue(before >= 1 && before < PROMPTS, "killed halfway: " + before + " of " + PROMPTS + " stored");
        // Writes cut off by the kill, as HadoopFiles names them while they are under way (a kill that lands in a
        // write leaves one by itself, but not every time).
        Files.write(out.resolve("images").resolve("._tmp-" + UUID.randomUUID() + "-cut-off.png"), new byte[] {1});
        Files.write(out.resolve("_rows").resolve("._tmp-" + UUID.randomUUID() + "-cut-off.json"), new byte[] {1});
        long cutOff = 0;
        for (String dir : List.of("images", "_rows", "_progress")) {
            cutOff += JobOutput.filesIn(out.resolve(dir)).stream()
                    .filter(p -> p.getFileName().toString().startsWith("._tmp-")).count();
        }

        try (ChildJvm driver = new SparkSubmitRun("local[2,1]", table, out, 1, 2).arg("--resume")
                .start("driver-resumed", sparkHome, logs)) {
            assertEquals(0, driver.await(Duration.ofMinutes(5)), driver.summary());
            String done = PROMPTS + " of " + PROMPTS + " prompts ok (" + (PROMPTS - before) + " rendered now, "
                    + before + " from earlier runs)";
            assertTrue(driver.log().contains(done), "expected '" + done + "': " + driver.summary());
            // The 2 planted, and any that the kill itself cut off.
            assertTrue(driver.log().contains("removed " + cutOff + " temporary file(s)"), driver.summary());
        }

        Map<String, ResultRow> byId = JobOutput.assertEveryPromptOnceOk(JobOutput.results(spark, out),
                rows.stream().map(PromptRow::promptId).toList(), out, SparkSubmitRun.SIZE);
        JobOutput.assertNoTemporaryFiles(out);
        for (ResultRow r : byId.values()) {
            Path png = Path.of(URI.create(r.imageUri()));
            FileTime then = stored.get(png.getFileName().toString());
            if (then != null) {
                assertEquals(then, Files.getLastModifiedTime(png), "rendered by the killed run, not again: " + r);
            }
        }
        assertEquals(before, byId.values().stream().filter(r -> stored.containsKey(
                Path.of(URI.create(r.imageUri())).getFileName().toString())).count());
    }
}
