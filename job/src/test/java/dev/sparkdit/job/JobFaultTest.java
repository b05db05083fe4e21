package dev.sparkdit.job;

import dev.sparkdit.datasets.OnBadRow;
import dev.sparkdit.datasets.PromptRow;
import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.datasets.ResultStatus;
import dev.sparkdit.datasets.spark.ResultTable;
import dev.sparkdit.job.group.FaultInjection;
import dev.sparkdit.job.group.GroupAssignment;
import dev.sparkdit.job.spark.JobRequest;
import dev.sparkdit.job.spark.SparkDitJob;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rank that throws inside the Spark job (local mode, 2 groups x 2 Gloo ranks, random:tiny, 16 x 16, 2 steps, the
 * default 300 s collective timeout): its group aborts at once, Spark kills the other group's tasks (which abort
 * theirs) and retries the stage; a one-shot fault ends with every prompt rendered exactly once, the retry skipping
 * what the failed attempt committed; a fault in every attempt fails the job with one line naming the rank.
 */
class JobFaultTest {
    @TempDir
    Path tmp;

    private static final int PER_GROUP = 4;

    private static JobRequest request(Path prompts, Path out, FaultInjection fault) {
        return new JobRequest(prompts.toString(), out.toString(), "random:tiny", 2, 2, 2, 1,
                Map.of("sparkdit.backend", "cpu"), 7, 16, 16, 2, 3.5, 16, false, OnBadRow.FAIL).withFault(fault);
    }

    /** Ids f-0, f-1, ... until each of the 2 groups has {@link #PER_GROUP}. */
    private static List<PromptRow> prompts() {
        List<PromptRow> rows = new ArrayList<>();
        int[] perGroup = new int[2];
        for (int i = 0; perGroup[0] < PER_GROUP || perGroup[1] < PER_GROUP; i++) {
            String id = "f-" + i;
            int g = GroupAssignment.groupOf(id, 2);
            if (perGroup[g] < PER_GROUP) {
                perGroup[g]++;
                rows.add(PromptRow.of(id, "a tiny test prompt number " + i));
            }
        }
        return rows;
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aOneShotFaultIsRetriedAndEveryPromptEndsWithExactlyOneOkRow() throws Exception {
        SparkSession spark = TestSpark.session();
        List<PromptRow> rows = prompts();
        Path table = LocalJobTest.promptTable(spark, tmp, rows);
        Path out = tmp.resolve("out");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        // Rank 1 (group 0) throws after step 1 of the second prompt it renders, in the first attempt only.
        FaultInjection fault = FaultInjection.parse("rank=1,prompt=1,step=1,attempt=0");
        long t0 = System.nanoTime();
        int status = SparkDitJob.run(request(table, out, fault), new PrintStream(log, true, StandardCharsets.UTF_8));
        double seconds = (System.nanoTime() - t0) / 1e9;
        String printed = log.toString(StandardCharsets.UTF_8);
        System.out.printf("JobFaultTest: one-shot fault: the job ended after %.1f s%n%s", seconds, printed);
        assertEquals(0, status, printed);
        assertTrue(seconds < 120, "the job took " + seconds + " s (the collective timeout is 300 s)");
        assertTrue(attemptLine(printed, 0).contains("rank 1 of 4 failed: injected fault"), printed);
        assertTrue(printed.contains(rows.size() + " of " + rows.size() + " prompts ok"), printed);

        List<ResultRow> results = spark.read().parquet(out.resolve("results").toString()).collectAsList().stream()
                .map(ResultTable::fromRow).collect(Collectors.toList());
        Map<String, Integer> perPrompt = new HashMap<>();
        Map<Integer, Integer> perAttempt = new HashMap<>();
        for (ResultRow r : results) {
            assertEquals(ResultStatus.OK, r.status(), r.error());
            perPrompt.merge(r.promptId(), 1, Integer::sum);
            perAttempt.merge(r.attempt(), 1, Integer::sum);
            assertTrue(Files.isRegularFile(Path.of(URI.create(r.imageUri()))), r.imageUri());
        }
        assertEquals(rows.size(), perPrompt.size(), perPrompt.toString());
        assertTrue(perPrompt.values().stream().allMatch(n -> n == 1), "one row per prompt: " + perPrompt);
        // Group 0 committed its first prompt before the fault: kept from attempt 0, not rendered again.
        assertTrue(perAttempt.getOrDefault(0, 0) >= 1, "rows by attempt: " + perAttempt);
        assertTrue(perAttempt.getOrDefault(1, 0) >= 1, "rows by attempt: " + perAttempt);
        assertEquals(rows.size(), perAttempt.getOrDefault(0, 0) + perAttempt.getOrDefault(1, 0), perAttempt.toString());
        try (Stream<Path> files = Files.list(out.resolve("images"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertEquals(rows.size(), names.size(), "no temporary or duplicate files: " + names);
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aFaultInEveryAttemptFailsTheJobWithOneLineNamingTheRank() throws Exception {
        SparkSession spark = TestSpark.session();
        Path table = LocalJobTest.promptTable(spark, tmp, prompts());
        Path out = tmp.resolve("out");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        FaultInjection fault = FaultInjection.parse("rank=2,prompt=0,step=1");
        long t0 = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SparkDitJob.run(request(table, out,
                fault), new PrintStream(log, true, StandardCharsets.UTF_8)));
        double seconds = (System.nanoTime() - t0) / 1e9;
        String printed = log.toString(StandardCharsets.UTF_8);
        System.out.printf("JobFaultTest: fault in every attempt: the job failed after %.1f s: %s%n%s", seconds,
                e.getMessage(), printed);
        assertTrue(seconds < 240, "the job took " + seconds + " s");
        assertTrue(e.getMessage().startsWith("the render failed; the last task failure: task "), e.getMessage());
        assertTrue(e.getMessage().contains("rank 2 of 4 failed: injected fault"), e.getMessage());
        assertTrue(e.getMessage().contains("--resume"), e.getMessage());
        assertTrue(!e.getMessage().contains("\tat "), "no stack trace in the message: " + e.getMessage());
        assertTrue(attemptLine(printed, 0).contains("rank 2 of 4 failed: injected fault"), printed);
        // One line per failed attempt: each but the last says Spark retries, the last that the run fails.
        java.util.List<String> lines = printed.lines().filter(l -> l.startsWith("sparkdit run: task ")).toList();
        assertTrue(lines.size() >= 2, printed);
        for (String line : lines.subList(0, lines.size() - 1)) {
            assertTrue(line.contains("; Spark retries the stage (attempt "), line);
        }
        String last = lines.get(lines.size() - 1);
        assertTrue(last.contains("that was attempt " + lines.size() + " of " + lines.size()
                + " (spark.stage.maxConsecutiveAttempts): the run fails"), last);
    }

    /**
     * The driver's line for stage attempt {@code attempt}. It reports the attempt's first task failure, which may be a
     * peer's (rank 3 abandoned by rank 2's abort) rather than the injected one; a peer's line quotes the failed rank's.
     */
    private static String attemptLine(String printed, int attempt) {
        return printed.lines().filter(l -> l.startsWith("sparkdit run: task ") && l.contains("(attempt " + attempt
                + "): ")).findFirst().orElse("");
    }
}
