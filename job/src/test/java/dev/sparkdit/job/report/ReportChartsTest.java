package dev.sparkdit.job.report;

import dev.sparkdit.datasets.ResultRow;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The figures: their axes, what they do without data, and that many groups still draw. */
class ReportChartsTest {

    @Test
    void scalesStepByOneTwoOrFive() {
        Scale s = Scale.fromZero(6923 * 1.12, 6);
        assertEquals(0, s.min());
        assertEquals(2000, s.step());
        assertEquals(8000, s.max());
        assertEquals("8,000", s.label(8000));
        Scale small = Scale.fromZero(0.7, 6);
        assertEquals(0.2, small.step(), 1e-12);
        assertEquals("0.4", small.label(small.ticks()[2]));
        assertEquals(1, Scale.fromZero(0, 6).max(), "an all-zero axis still has a length");
    }

    @Test
    void aFigureWithoutDataIsNotDrawn() {
        RunFigures empty = ReportFiguresTest.figures(List.of());
        assertNull(ReportCharts.throughput(List.of(empty)));
        assertNull(ReportCharts.stages(List.of(empty)));
        assertNull(ReportCharts.stepsByGroup(List.of(empty)));
        assertNull(ReportCharts.stepsByHost(List.of(empty)));
        assertNull(ReportCharts.timePerImage(List.of(empty)));
    }

    @Test
    void boxesAreSharedOutAmongRuns() {
        assertEquals(37, ReportCharts.perRun(new int[] {120, 3}, 40));
        assertEquals(5, ReportCharts.perRun(new int[] {5, 5}, 40));
        assertEquals(13, ReportCharts.perRun(new int[] {100, 100, 100}, 40));
        assertEquals(1, ReportCharts.perRun(java.util.stream.IntStream.generate(() -> 10).limit(50).toArray(), 40), "at least one each, even past the limit");
    }

    @Test
    void manyGroupsAndLongNamesStillDrawAt900By500() {
        List<ResultRow> rows = new ArrayList<>();
        for (int g = 0; g < 120; g++) {
            rows.add(ReportRows.ok("p" + g, g, "a-very-long-host-name-" + g + ".cluster.example.internal", List.of(0),
                    "ulysses 1 x ring 1", 1000 + g, 30 + g % 7, 31, 29));
        }
        List<RunFigures> runs = List.of(ReportFiguresTest.figures(rows), ReportFiguresTest.figures(rows.subList(0, 3)));
        for (BufferedImage image : List.of(ReportCharts.throughput(runs), ReportCharts.stages(runs),
                ReportCharts.stepsByGroup(runs), ReportCharts.stepsByHost(runs), ReportCharts.timePerImage(runs))) {
            assertNotNull(image);
            assertEquals(ChartCanvas.WIDTH, image.getWidth());
            assertEquals(ChartCanvas.HEIGHT, image.getHeight());
            assertTrue(colours(image) > 50, "antialiased edges blend colours; found only " + colours(image));
        }
    }

    private static int colours(BufferedImage image) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                seen.add(image.getRGB(x, y));
            }
        }
        return seen.size();
    }
}
