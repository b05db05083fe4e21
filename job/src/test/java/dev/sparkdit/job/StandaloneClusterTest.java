package dev.sparkdit.job;

import dev.sparkdit.datasets.PromptRow;
import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.job.cluster.ChildJvm;
import dev.sparkdit.job.cluster.FakeSparkHome;
import dev.sparkdit.job.cluster.JavaCppCache;
import dev.sparkdit.job.cluster.JobOutput;
import dev.sparkdit.job.cluster.SparkSubmitRun;
import dev.sparkdit.job.cluster.StandaloneCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job on a real Spark standalone cluster that the test starts (a Master and a Worker, each its own JVM on
 * 127.0.0.1; executors JVMs under the Worker), submitted through {@code SparkSubmit} as a user would; one group of 2
 * Gloo ranks on the CPU backend. Then the same with the executor killed (SIGKILL) while the barrier stage renders:
 * the Worker starts another, Spark retries the stage, which skips the prompts already stored; every prompt ends with
 * exactly one ok row and one image, none written twice, no temporary file left.
 */
class StandaloneClusterTest {
    @TempDir
    static Path tmp;

    static final Path LOGS = Path.of("target", "child-jvms", "StandaloneClusterTest").toAbsolutePath();
    static Path sparkHome;
    static StandaloneCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        JavaCppCache.fill();
        sparkHome = FakeSparkHome.create(LOGS.resolve("spark-home"));
        cluster = StandaloneCluster.start(sparkHome, LOGS, 2, 1536);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static List<PromptRow> prompts(String prefix, int n) {
        List<PromptRow> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(PromptRow.of(prefix + i, "a lighthouse on a cliff, picture " + i));
        }
        return rows;
    }

    private static SparkSubmitRun submit(Path table, Path out) {
        return new SparkSubmitRun(cluster.url(), table, out, 1, 2).conf("spark.executor.memory", "1g");
    }

    @Test
    void aJobSubmittedThroughSparkSubmitRendersEveryPromptOnce() throws Exception {
        SparkSession spark = TestSpark.session();
        Path dir = Files.createDirectories(tmp.resolve("plain"));
        List<PromptRow> rows = prompts("plain-", 3);
        rows.add(PromptRow.of("ünïcødé ✓", "a unicode id still gets a safe file name"));
        Path table = LocalJobTest.promptTable(spark, dir, rows);
        Path out = dir.resolve("out");
        try (ChildJvm driver = submit(table, out).start("driver-plain", sparkHome, LOGS)) {
            assertEquals(0, driver.await(Duration.ofMinutes(5)), driver.summary());
            assertTrue(driver.log().contains("4 of 4 prompts ok (4 rendered now, 0 from earlier runs)"),
                    driver.summary());
        }
        Map<String, ResultRow> byId = JobOutput.assertEveryPromptOnceOk(JobOutput.results(spark, out),
                rows.stream().map(PromptRow::promptId).toList(), out, SparkSubmitRun.SIZE);
        for (ResultRow r : byId.values()) {
            assertEquals("127.0.0.1", r.host(), r.toString());
            assertEquals("ulysses 2 x ring 1", r.parallelPlan(), r.toString());
            assertEquals(0, r.group(), r.toString());
            assertEquals(0, r.attempt(), "nothing failed, nothing retried: " + r);
            assertEquals(List.of(), r.gpuIds(), "no GPU resources on this cluster: " + r);
        }
        JobOutput.assertNoTemporaryFiles(out);
    }

    @Test
    void anExecutorKilledMidStageIsReplacedAndTheStageRetriedWithoutRenderingTwice() throws Exception {
        SparkSession spark = TestSpark.session();
        Path dir = Files.createDirectories(tmp.resolve("killed"));
        List<PromptRow> rows = prompts("kill-", 12);
        Path table = LocalJobTest.promptTable(spark, dir, rows);
        Path out = dir.resolve("out");
        Instant killedAt;
        try (ChildJvm driver = submit(table, out).start("driver-executor-killed", sparkHome, LOGS)) {
            JobOutput.awaitImages(out.resolve("images"), 4, driver);
            List<ProcessHandle> executors = cluster.executors();
            assertEquals(1, executors.size(), "one executor of 2 cores runs the 2 tasks: " + executors);
            executors.get(0).destroyForcibly();
            executors.get(0).onExit().get(30, TimeUnit.SECONDS);
            killedAt = Instant.now();
            assertEquals(0, driver.await(Duration.ofMinutes(5)), driver.summary());
            assertTrue(driver.log().contains("12 of 12 prompts ok (12 rendered now, 0 from earlier runs)"),
                    driver.summary());
        }
        Map<String, ResultRow> byId = JobOutput.assertEveryPromptOnceOk(JobOutput.results(spark, out),
                rows.stream().map(PromptRow::promptId).toList(), out, SparkSubmitRun.SIZE);
        JobOutput.assertNoTemporaryFiles(out);
        int before = 0;
        int retried = 0;
        for (ResultRow r : byId.values()) {
            Instant written = Files.getLastModifiedTime(Path.of(URI.create(r.imageUri()))).toInstant();
            if (r.attempt() == 0) {
                before++;
                assertTrue(written.isBefore(killedAt), "stored before the kill, not rendered again: " + r);
            } else {
                retried++;
                assertTrue(written.isAfter(killedAt), "rendered by the retried stage: " + r);
            }
        }
        assertTrue(before >= 1, "the first attempt stored prompts before its executor was killed: " + byId.values());
        assertTrue(retried >= 1, "the retried stage attempt rendered the rest: " + byId.values());
    }
}
