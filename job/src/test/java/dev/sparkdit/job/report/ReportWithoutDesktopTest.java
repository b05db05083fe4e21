package dev.sparkdit.job.report;

import dev.sparkdit.datasets.ResultJsonLines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GPU bundle's jlink'd runtime has no {@code java.desktop} (it would not fit the 64 MiB a device call carries):
 * there the report writes its page with every table and says why it has no figures, instead of failing with
 * {@code NoClassDefFoundError: java/awt/image/RenderedImage} as it once did. These tests run the report in a class
 * loader that cannot see {@code java.awt} or {@code javax.imageio}.
 */
class ReportWithoutDesktopTest {
    private static final List<String> DESKTOP = List.of("java.awt.", "javax.imageio.");

    /** Runs {@code Report.write(..., draw)} on one JSON lines table inside {@code loader}. */
    private static String write(ClassLoader loader, Path table, Path out, boolean draw) throws Exception {
        Class<?> command = Class.forName(ReportCommand.class.getName(), true, loader);
        Method inputs = command.getDeclaredMethod("inputs", List.class, List.class);
        inputs.setAccessible(true);
        Object in = inputs.invoke(null, List.of(table.toString()), List.of());
        Class<?> report = Class.forName(Report.class.getName(), true, loader);
        Method write = report.getDeclaredMethod("write", List.class, Path.class, String.class, int.class,
                PrintWriter.class, boolean.class);
        write.setAccessible(true);
        StringWriter progress = new StringWriter();
        write.invoke(null, in, out, "no desktop", 100, new PrintWriter(progress), draw);
        return progress.toString();
    }

    @Test
    void withoutJavaDesktopThePageHasEveryTableAndSaysWhyItHasNoFigures(@TempDir Path dir) throws Exception {
        Path table = dir.resolve("group-0.jsonl");
        ResultJsonLines.write(table, ReportCommandTest.twoGpus());
        Path out = dir.resolve("report");
        Files.createDirectories(out);
        Files.writeString(out.resolve(FigureNames.STAGES), "a figure from an earlier report");
        HidingClassLoader loader = new HidingClassLoader("no-desktop", DESKTOP);
        assertThrows(ClassNotFoundException.class, () -> Class.forName("java.awt.Color", false, loader));

        String progress = write(loader, table, out, false);

        assertTrue(progress.contains("report: " + Report.NO_FIGURES), progress);
        String html = Files.readString(out.resolve(Report.PAGE), StandardCharsets.UTF_8);
        assertFalse(html.contains("<img"), html);
        assertTrue(html.contains(Report.NO_FIGURES + "."), html);
        // The tables are all there: the throughput of ReportCommandTest's rows, and the run's swatch colour.
        assertTrue(html.contains("7,200.0"), html);
        assertTrue(html.contains("background:#4e79a7"), html);
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(Set.of(Report.PAGE), files.map(p -> p.getFileName().toString())
                    .collect(java.util.stream.Collectors.toSet()), "the earlier figure is removed, none is drawn");
        }
    }

    /** The loader above really stops the drawing code: asked to draw, the report fails in it. */
    @Test
    void drawingInThatLoaderFails(@TempDir Path dir) throws Exception {
        Path table = dir.resolve("group-0.jsonl");
        ResultJsonLines.write(table, ReportCommandTest.twoGpus());
        HidingClassLoader loader = new HidingClassLoader("no-desktop", DESKTOP);
        InvocationTargetException e = assertThrows(InvocationTargetException.class,
                () -> write(loader, table, dir.resolve("report"), true));
        assertInstanceOf(LinkageError.class, e.getCause(), "expected a missing java.awt class");
    }

    @Test
    void thisRuntimeHasJavaDesktopSoTheCommandDraws() {
        assertTrue(Report.drawable());
    }

    /** Class files name the classes they use: only the figures' own classes may name java.awt or javax.imageio. */
    @Test
    void onlyTheFigureClassesNameJavaDesktop() throws IOException, URISyntaxException {
        Path classes = Path.of(Report.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/sparkdit/job/report");
        Set<String> naming = new TreeSet<>();
        try (Stream<Path> list = Files.list(classes)) {
            for (Path f : list.filter(p -> p.toString().endsWith(".class")).toList()) {
                String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                if (bytes.contains("java/awt/") || bytes.contains("javax/imageio/")) {
                    naming.add(f.getFileName().toString().replaceFirst("[$.].*", ""));
                }
            }
        }
        Set<String> figureClasses = Set.of("FigureFiles", "ReportCharts", "ChartCanvas", "Palette", "BarChart",
                "BoxChart", "ScatterChart", "StackedBarChart");
        assertTrue(naming.contains("FigureFiles") && naming.contains("ChartCanvas"), "the byte search found " + naming);
        assertTrue(figureClasses.containsAll(naming), "classes outside the figures name java.desktop: " + naming);
    }
}
