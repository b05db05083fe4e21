package dev.sparkdit.job.report;

import dev.sparkdit.cli.Main;
import dev.sparkdit.datasets.ResultJsonLines;
import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.datasets.spark.ResultTable;
import org.apache.spark.sql.SaveMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sparkdit report} end to end, through {@link Main#run} as a user runs it. */
class ReportCommandTest {

    private static final String HOSTILE_ID = "<script>alert('id')</script>";
    private static final String HOSTILE_HOST = "<b onmouseover=\"x()\">h</b>";
    private static final String HOSTILE_ERROR = "CudaException: out of memory & <img src=x onerror=alert(1)>";
    private static final Pattern IMG = Pattern.compile("<img src=\"([^\"]*)\"");

    /** What {@link Main#run} returned and printed. */
    record Outcome(int status, String out, String err) {
    }

    static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] argv = new String[args.length + 1];
        argv[0] = "report";
        System.arraycopy(args, 0, argv, 1, args.length);
        int status = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Run "4-gpus": two groups on two hosts, 5 ok images and one failed row with hostile strings. */
    static List<ResultRow> fourGpus() {
        String plan = "ulysses 2 x ring 1";
        return List.of(
                ReportRows.ok("a-1", 0, "host-a", List.of(0, 1), plan, 1000, 250, 240, 230, 220),
                ReportRows.ok("a-2", 0, "host-a", List.of(0, 1), plan, 800, 200, 190, 180, 170),
                ReportRows.ok("a-3", 0, "host-a", List.of(0, 1), plan, 800, 200, 190, 180, 170),
                ReportRows.ok("b-1", 1, "host-b", List.of(0, 1), plan, 1200, 300, 290, 280, 270),
                ReportRows.ok("b-2", 1, "host-b", List.of(0, 1), plan, 900, 225, 215, 205, 195),
                ReportRows.failed(HOSTILE_ID, 1, HOSTILE_HOST, plan, 300, HOSTILE_ERROR));
    }

    /** Run "2-gpus" (render-group's JSON lines): one group, four ok images of 500 ms. */
    static List<ResultRow> twoGpus() {
        List<ResultRow> rows = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rows.add(ReportRows.ok("c-" + i, 0, "host-c", List.of(0, 1), "ulysses 2 x ring 1", 500, 120, 125, 118, 119));
        }
        return rows;
    }

    static Path parquet(Path dir, String name, List<ResultRow> rows) {
        Path path = dir.resolve(name);
        ResultTable.toDataFrame(ReportSpark.session(), rows).coalesce(1).write().mode(SaveMode.ErrorIfExists)
                .parquet(path.toString());
        return path;
    }

    @Test
    void comparesAParquetRunAndAJsonLinesRun(@TempDir Path dir) throws IOException {
        Path four = parquet(dir, "4-gpus", fourGpus());
        Path two = dir.resolve("2-gpus.jsonl");
        ResultJsonLines.write(two, twoGpus());
        Path out = dir.resolve("report");

        Outcome o = run("--results", four.toString(), "--results", two.toString(), "--out", out.toString(),
                "--title", "Scaling <test>");

        assertEquals(0, o.status(), o.err());
        Path page = out.resolve("index.html");
        assertEquals(page.toString(), o.out().strip());
        String html = Files.readString(page, StandardCharsets.UTF_8);
        Set<String> images = checkImages(out, html);
        assertEquals(Set.of("throughput.png", "stages.png", "steps-by-group.png", "steps-by-host.png",
                "time-per-image.png"), images);

        // Computed here from the rows above: groups 0 and 1 are busy 2600 and 2400 ms; 5 ok images.
        String fourRate = String.format(Locale.ROOT, "%,.1f", 5 * 3_600_000.0 / (1000 + 800 + 800));
        String twoRate = String.format(Locale.ROOT, "%,.1f", 4 * 3_600_000.0 / (4 * 500));
        assertEquals("6,923.1", fourRate);
        assertTrue(html.contains("<td class=\"n\">" + fourRate + "</td>"), html);
        assertTrue(html.contains("<td class=\"n\">" + twoRate + "</td>"), html);
        // Balanced: 5 images over the mean busy time (2600 + 2400) / 2.
        assertTrue(html.contains(String.format(Locale.ROOT, "%,.1f", 5 * 3_600_000.0 * 2 / 5000)), html);
        // Median step of group 0: 12 entries, sorted, between the 6th and 7th (190, 200).
        assertTrue(html.contains("<td class=\"n\">195.0</td>"), html);
        // Mean denoise over 4-gpus' ok rows: 80% of the mean total 940.
        assertTrue(html.contains("<td class=\"n\">752.0</td>"), html);
        assertTrue(html.contains("4-gpus") && html.contains("2-gpus.jsonl"), html);

        assertFalse(html.contains("<script"), "a prompt id became markup");
        assertFalse(html.contains("<img src=x"), "an error became markup");
        assertFalse(html.contains("<b onmouseover"), "a host became markup");
        assertTrue(html.contains("&lt;script&gt;alert(&#39;id&#39;)&lt;/script&gt;"), html);
        assertTrue(html.contains("out of memory &amp; &lt;img src=x onerror=alert(1)&gt;"), html);
        assertTrue(html.contains("&lt;b onmouseover=&quot;x()&quot;&gt;h&lt;/b&gt;"), html);
        assertTrue(html.contains("<title>Scaling &lt;test&gt;</title>"), html);
        assertTrue(html.contains("1 failed row"), html);
        assertFalse(html.contains("<script") || html.contains("http://") || html.contains("https://"),
                "the page must work offline and without scripts");
    }

    @Test
    void labelsNameTheRuns(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("a.jsonl");
        ResultJsonLines.write(a, twoGpus());
        Path out = dir.resolve("r");
        Outcome o = run("--results", a.toString(), "--results", a.toUri().toString(), "--label", "8 x H200",
                "--label", "8 x H200", "--out", out.toString());
        assertEquals(0, o.status(), o.err());
        String html = Files.readString(out.resolve("index.html"));
        assertTrue(html.contains("8 x H200</td>") && html.contains("8 x H200 (2)</td>"), html);
        checkImages(out, html);
    }

    @Test
    void failedRowsAreListedUpToTheLimitWithTheirCount(@TempDir Path dir) throws IOException {
        List<ResultRow> rows = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            rows.add(ReportRows.failed("f-" + i, i % 3, "host", "ulysses 1 x ring 1", 10, "error " + i));
        }
        Path file = dir.resolve("failed.jsonl");
        ResultJsonLines.write(file, rows);
        Path out = dir.resolve("r");
        Outcome o = run("--results", file.toString(), "--out", out.toString());
        assertEquals(0, o.status(), o.err());
        String html = Files.readString(out.resolve("index.html"));
        assertTrue(html.contains("150 failed rows, the first 100 listed"), html);
        assertTrue(html.contains(">error 99</td>"), html);
        assertFalse(html.contains(">error 100</td>"), html);
        assertTrue(html.contains("No run has an ok image."), html);
        // Only failed rows: a rate of 0, no stages, no time per image; their steps still have a spread.
        assertEquals(Set.of("throughput.png", "steps-by-group.png", "steps-by-host.png"), checkImages(out, html));
        assertTrue(html.contains("<td class=\"n\">0.0</td>"), html);
    }

    @Test
    void anEmptyTableGivesAPageThatSaysSo(@TempDir Path dir) throws IOException {
        Path empty = parquet(dir, "empty", List.of());
        Path out = dir.resolve("r");
        Outcome o = run("--results", empty.toString(), "--out", out.toString());
        assertEquals(0, o.status(), o.err());
        String html = Files.readString(out.resolve("index.html"));
        assertTrue(html.contains("No rows: the result table is empty"), html);
        assertTrue(html.contains("(empty table)"), html);
        assertEquals(Set.of(), checkImages(out, html));
    }

    @Test
    void aMissingTableExitsTwoNamingIt(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("good.jsonl");
        ResultJsonLines.write(good, twoGpus());
        String missing = dir.resolve("no-such-run").toString();
        Outcome o = run("--results", good.toString(), "--results", missing, "--out", dir.resolve("r").toString());
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().contains("cannot read result table at " + missing + ": no such file or directory"),
                o.err());
        assertFalse(Files.exists(dir.resolve("r/index.html")));
    }

    @Test
    void aFileThatIsNoResultTableExitsTwoNamingItAndTheLine(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "\nthese are not result rows\n");
        Outcome o = run("--results", text.toString(), "--out", dir.resolve("r").toString());
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().contains("cannot read result table at " + text + ": line 2: not JSON"), o.err());
    }

    @Test
    void aParquetTableOfOtherColumnsExitsTwoNamingIt(@TempDir Path dir) {
        Path other = dir.resolve("prompts");
        ReportSpark.session().range(3).write().parquet(other.toString());
        Outcome o = run("--results", other.toString(), "--out", dir.resolve("r").toString());
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().contains("cannot read result table at " + other + ": missing column 'prompt_id'"),
                o.err());
    }

    @Test
    void labelsMustMatchTheTables(@TempDir Path dir) {
        Outcome o = run("--results", "a", "--results", "b", "--label", "x", "--out", dir.toString());
        assertEquals(2, o.status());
        assertTrue(o.err().contains("--label given 1 time(s) for 2 --results"), o.err());
    }

    @Test
    void defaultLabelsAreTheLastName() {
        assertEquals("results", ResultInput.defaultLabel("/runs/8-gpus/results/"));
        assertEquals("run-2", ResultInput.defaultLabel("s3a://bucket/run-2"));
        assertEquals("g.jsonl", ResultInput.defaultLabel("g.jsonl"));
        assertEquals("/", ResultInput.defaultLabel("/"));
        assertEquals(List.of("a", "a (2)", "b"), ReportCommand.inputs(List.of("/x/a", "/y/a/", "/b"), List.of())
                .stream().map(ResultInput::label).toList());
    }

    /**
     * Every image the page links is a relative name of a PNG in {@code out} that decodes at 900 x 500, and every
     * PNG there is linked; returns the names.
     */
    static Set<String> checkImages(Path out, String html) throws IOException {
        Set<String> linked = new LinkedHashSet<>();
        Matcher m = IMG.matcher(html);
        while (m.find()) {
            String name = m.group(1);
            assertTrue(name.matches("[a-z-]+\\.png"), "not a relative PNG name: " + name);
            Path file = out.resolve(name);
            assertTrue(Files.isRegularFile(file), "linked but missing: " + file);
            BufferedImage image = ImageIO.read(file.toFile());
            assertNotNull(image, "not a PNG ImageIO reads: " + file);
            assertEquals(900, image.getWidth());
            assertEquals(500, image.getHeight());
            linked.add(name);
        }
        try (var files = Files.list(out)) {
            Set<String> present = new LinkedHashSet<>();
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png")).forEach(present::add);
            assertEquals(Set.copyOf(present), Set.copyOf(linked), "PNGs in the folder vs linked from the page");
        }
        return Set.copyOf(linked);
    }
}
