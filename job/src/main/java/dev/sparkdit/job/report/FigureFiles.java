package dev.sparkdit.job.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.imageio.ImageIO;

/**
 * The report's figures as PNG files. Everything that needs {@code java.desktop} (Java2D, ImageIO) is reached only
 * through this class, so that {@link Report} can write its page on a runtime without that module.
 */
final class FigureFiles {
    private static final String HEADLESS = "java.awt.headless";

    private static final Map<String, Function<List<RunFigures>, BufferedImage>> CHARTS = charts();

    private FigureFiles() {
    }

    private static Map<String, Function<List<RunFigures>, BufferedImage>> charts() {
        Map<String, Function<List<RunFigures>, BufferedImage>> m = new LinkedHashMap<>();
        m.put(FigureNames.THROUGHPUT, ReportCharts::throughput);
        m.put(FigureNames.STAGES, ReportCharts::stages);
        m.put(FigureNames.STEPS_BY_GROUP, ReportCharts::stepsByGroup);
        m.put(FigureNames.STEPS_BY_HOST, ReportCharts::stepsByHost);
        m.put(FigureNames.TIME_PER_IMAGE, ReportCharts::timePerImage);
        return m;
    }

    /**
     * Draws each figure that has data into {@code outDir} and removes the file of each that has none.
     *
     * @return the names of the files drawn
     */
    static List<String> write(List<RunFigures> runs, Path outDir) throws IOException {
        if (System.getProperty(HEADLESS) == null) {
            // The figures are drawn off screen; with DISPLAY set and no X server reachable, AWT would fail.
            System.setProperty(HEADLESS, "true");
        }
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
        return drawn;
    }

    private static void writePng(BufferedImage image, Path file) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        if (!ImageIO.write(image, "png", tmp.toFile())) {
            throw new IOException("no PNG writer in this Java runtime (java.desktop's ImageIO) for " + file);
        }
        Report.move(tmp, file);
    }
}
