package dev.sparkdit.job.report;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Makes the report: reads each result table into its {@link RunFigures}, draws the figures that have data and
 * writes them and {@code index.html} into a folder. Files are written under a temporary name and moved into
 * place, the page last, so the page never links a figure that is not there. On a Java runtime without
 * {@code java.desktop} (the GPU bundle's) the page has every table and says why it has no figures.
 */
public final class Report {
    static final String PAGE = "index.html";
    /** Why a page has no figures when the runtime cannot draw them; also printed as a progress line. */
    static final String NO_FIGURES = "figures not drawn: this Java runtime has no java.desktop module (the GPU"
            + " bundle leaves it out of its runtime); the page has every table. Run sparkdit report under a full JDK 17"
            + " for the figures";

    private Report() {
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
        return write(inputs, outDir, title, maxFailed, progress, drawable());
    }

    /** As {@link #write(List, Path, String, int, PrintWriter)}, drawing the figures only when {@code draw}. */
    static Path write(List<ResultInput> inputs, Path outDir, String title, int maxFailed, PrintWriter progress,
                      boolean draw) throws IOException {
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
        if (draw) {
            drawn.addAll(FigureFiles.write(runs, outDir));
        } else {
            for (String name : FigureNames.ALL) {
                Files.deleteIfExists(outDir.resolve(name));
            }
            progress.println("report: " + NO_FIGURES);
            progress.flush();
        }
        String generated = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String html = ReportPage.html(title, runs, Set.copyOf(drawn), draw ? null : NO_FIGURES, maxFailed, generated);
        Path page = outDir.resolve(PAGE);
        Path tmp = outDir.resolve("." + PAGE + ".tmp");
        Files.writeString(tmp, html, StandardCharsets.UTF_8);
        move(tmp, page);
        return page;
    }

    /** Whether this runtime can draw: the jlink'd runtime of the GPU bundle leaves {@code java.desktop} out. */
    static boolean drawable() {
        return ModuleLayer.boot().findModule("java.desktop").isPresent();
    }

    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
