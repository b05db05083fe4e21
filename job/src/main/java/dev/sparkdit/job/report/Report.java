package dev.sparkdit.job.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javax.imageio.ImageIO;

/**
 * Makes the report: reads each result table into its {@link RunFigures}, draws the figures that have data and
 * writes them and {@code index.html} into a folder. Files are written under a temporary name and moved into
 * place, the page last, so the page never links a figure that is not there.
 */
public final class Report {
    static final String PAGE = "index.html";
    private static final String HEADLESS = "java.awt.headless";

    private static final Map<String, Function<List<RunFigures>, BufferedImage>> CHARTS = charts();

    private Report() {
    }

    private static Map<String, Function<List<RunFigures>, BufferedImage>> charts() {
        Map<String, Function<List<RunFigures>, BufferedImage>> m = new LinkedHashMap<>();
        m.put(ReportCharts.THROUGHPUT, ReportCharts::throughput);
        m.put(ReportCharts.STAGES, ReportCharts::stages);
        m.put(ReportCharts.STEPS_BY_GROUP, ReportCharts::stepsByGroup);
        m.put(ReportCharts.STEPS_BY_HOST, ReportCharts::stepsByHost);
        m.put(ReportCharts.TIME_PER_IMAGE, ReportCharts::timePerImage);
        return m;
    }

    /**
     * Reads every table, then writes the page and its figures into {@code outDir} (created).
     *
     * @param maxFailed failed rows listed per run
     * @param progress  where a line per table goes
     * @return the page
     * @throws dev.sparkdit.datasets.spark.UnreadableTableException naming the first table that cannot be read
     */
    public static Path write(List<ResultInput> inputs, Path outDir, String title, int maxFailed, PrintWriter progress)
            throws IOException {
        if (System.getProperty(HEADLESS) == null) {
            // The figures are drawn off screen; with DISPLAY set and no X server reachable, AWT would fail.
            System.setProperty(HEADLESS, "true");
        }
        List<RunFigures> runs = new ArrayList<>();
        for (ResultInput in : inputs) {
            RunTally tally = new RunTally(in.label(), in.path(), maxFailed);
            ResultReader.forEachRow(in.path(), tally::add);
            RunFigures r = tally.finish();
            progress.printf("report: %s: %d rows (%d ok, %d failed) from %s%n", r.label(), r.rows(), r.ok(),
                    r.failed(), r.source());
            progress.flush();
            runs.add(r);
        }
        Files.createDirectories(outDir);
        List<String> drawn = new ArrayList<>();
        for (Map.Entry<String, Function<List<RunFigures>, BufferedImage>> chart : CHARTS.entrySet()) {
            BufferedImage image = chart.getValue().apply(runs);
            Path file = outDir.resolve(chart.getKey());
            if (image == null) {
                Files.deleteIfExists(file);
            } else {
                writePng(image, file);
                drawn.add(chart.getKey());
            }
        }
        String generated = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String html = ReportPage.html(title, runs, Set.copyOf(drawn), maxFailed, generated);
        Path page = outDir.resolve(PAGE);
        Path tmp = outDir.resolve("." + PAGE + ".tmp");
        Files.writeString(tmp, html, StandardCharsets.UTF_8);
        move(tmp, page);
        return page;
    }

    private static void writePng(BufferedImage image, Path file) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        if (!ImageIO.write(image, "png", tmp.toFile())) {
            throw new IOException("no PNG writer in this Java runtime (java.desktop's ImageIO) for " + file);
        }
        move(tmp, file);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
