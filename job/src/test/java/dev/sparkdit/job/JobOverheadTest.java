package dev.sparkdit.job;

import dev.sparkdit.datasets.OnBadRow;
import dev.sparkdit.datasets.PromptRow;
import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.datasets.ResultStatus;
import dev.sparkdit.datasets.spark.ResultTable;
import dev.sparkdit.job.group.PromptWork;
import dev.sparkdit.job.spark.JobRequest;
import dev.sparkdit.job.spark.SparkDitJob;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The job's own overhead per prompt, measured (not asserted): 200 prompts in local mode, one group of one rank, CPU,
 * random:tiny at the smallest size (16 x 16), 1 step, 16 T5 tokens, so that the pipeline's work is as small as it
 * gets and what is left is the job's. Prints a table; docs/benchmarks.md records it and defines every line.
 *
 * <p>Per prompt i (rows in the order they were committed: each row's sidecar is written right after its image, so
 * the sidecar's modification time is the moment the prompt was done): the job's wall time for it is the time since
 * the previous prompt was done, its compute is tokenize + text encode + steps + decode (the image write runs on a
 * thread of its own, beside the next prompt's compute), and its overhead is wall - compute. The row's own overhead is
 * total - (compute + write): the time inside the row's span that no stage accounts for. File times here have the
 * kernel clock's granularity (4 ms on the CI VM), so single intervals are that coarse; the mean over the rendering
 * phase (first to last prompt done) is not.
 */
class JobOverheadTest {
    @TempDir
    Path tmp;

    static final int PROMPTS = 200;

    @Test
    void printsTheJobsOverheadPerPromptOver200Prompts() throws Exception {
        SparkSession spark = TestSpark.session();
        List<PromptRow> rows = new ArrayList<>();
        for (int i = 0; i < PROMPTS; i++) {
            rows.add(PromptRow.of(String.format(Locale.ROOT, "o-%04d", i), "a tiny overhead prompt number " + i));
        }
        Path table = LocalJobTest.promptTable(spark, tmp, rows);
        Path out = tmp.resolve("out");
        JobRequest req = new JobRequest(table.toString(), out.toString(), "random:tiny", 1, 1, 1, 1,
                Map.of("sparkdit.backend", "cpu"), 7, 16, 16, 1, 3.5, 16, false, OnBadRow.REJECT);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        Instant start = Instant.now();
        int status = SparkDitJob.run(req, new PrintStream(log, true, StandardCharsets.UTF_8));
        double jobMs = (System.nanoTime() - t0) / 1e6;
        Instant end = Instant.now();
        assertEquals(0, status, log.toString(StandardCharsets.UTF_8));

        List<ResultRow> results = spark.read().parquet(out.resolve("results").toString()).collectAsList().stream()
                .map(ResultTable::fromRow).collect(Collectors.toList());
        assertEquals(PROMPTS, results.size());
        List<Done> done = new ArrayList<>();
        for (ResultRow r : results) {
            assertEquals(ResultStatus.OK, r.status(), r.error());
            Path sidecar = out.resolve("_rows").resolve(new PromptWork(new dev.sparkdit.datasets.RenderRequest(
                    r.promptId(), "x", "x", 0, 16, 16, 1, 0)).rowName());
            done.add(new Done(r, Files.getLastModifiedTime(sidecar).toInstant()));
        }
        done.sort(Comparator.comparing(Done::at));
        int n = done.size();
        double[] wall = new double[n - 1];
        double[] compute = new double[n - 1];
        double[] write = new double[n - 1];
        double[] overhead = new double[n - 1];
        double[] inRow = new double[n - 1];
        double computeAll = 0;
        double loadMs = 0;
        for (int i = 0; i < n; i++) {
            ResultRow r = done.get(i).row();
            double c = r.tokenizeMs() + r.textEncodeMs() + r.denoiseMs() + r.decodeMs();
            computeAll += c;
            loadMs += r.loadMs();
            if (i > 0) {
                wall[i - 1] = millisBetween(done.get(i - 1).at(), done.get(i).at());
                compute[i - 1] = c;
                write[i - 1] = r.writeMs();
                overhead[i - 1] = wall[i - 1] - c;
                inRow[i - 1] = r.totalMs() - c - r.writeMs();
            }
        }
        double renderingPhaseMs = millisBetween(done.get(0).at(), done.get(n - 1).at());
        double computeAfterFirst = computeAll - (done.get(0).row().tokenizeMs() + done.get(0).row().textEncodeMs()
                + done.get(0).row().denoiseMs() + done.get(0).row().decodeMs());
        ResultRow first = done.get(0).row();
        double firstRenderStartMs = millisBetween(start, done.get(0).at()) - first.totalMs();
        double afterLastMs = millisBetween(done.get(n - 1).at(), end);
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "JobOverheadTest: %d prompts, 1 group x 1 rank, cpu, random:tiny 16x16, 1"
                + " step, 16 tokens; job %.1f s%n", PROMPTS, jobMs / 1000));
        t.append("| figure | median | p10 | p90 |\n| --- | ---: | ---: | ---: |\n");
        row(t, "wall per prompt (row done to row done), ms", wall);
        row(t, "compute (tokenize + encode + steps + decode), ms", compute);
        row(t, "write (PNG encode + write), ms", write);
        row(t, "**job overhead per prompt = wall - compute**, ms", overhead);
        row(t, "row's own overhead = total - compute - write, ms", inRow);
        t.append(String.format(Locale.ROOT, "| mean job overhead per prompt = (last done - first done - their"
                + " compute) / %d, ms | %.1f | | |%n", n - 1, (renderingPhaseMs - computeAfterFirst) / (n - 1)));
        t.append(String.format(Locale.ROOT, "| job start to the first prompt's render, s | %.2f | | |%n",
                firstRenderStartMs / 1000));
        t.append(String.format(Locale.ROOT, "| of which loading the model (load_ms), s | %.2f | | |%n", loadMs / 1000));
        t.append(String.format(Locale.ROOT, "| last prompt done to the job's return, s | %.2f | | |%n",
                afterLastMs / 1000));
        t.append(String.format(Locale.ROOT, "| whole run: (job wall - load - sum of compute) / prompts, ms | %.1f | | |%n",
                (jobMs - loadMs - computeAll) / PROMPTS));
        System.out.print(t);
    }

    private record Done(ResultRow row, Instant at) {
    }

    private static double millisBetween(Instant a, Instant b) {
        return java.time.Duration.between(a, b).toNanos() / 1e6;
    }

    private static void row(StringBuilder t, String name, double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        t.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f |%n", name, q(s, 0.5), q(s, 0.1), q(s, 0.9)));
    }

    private static double q(double[] sorted, double p) {
        double x = p * (sorted.length - 1);
        int lo = (int) Math.floor(x);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (x - lo) * (sorted[hi] - sorted[lo]);
    }
}
