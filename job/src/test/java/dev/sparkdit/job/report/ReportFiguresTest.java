package dev.sparkdit.job.report;

import dev.sparkdit.datasets.ResultRow;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The numbers behind the figures, from rows made here. */
class ReportFiguresTest {

    private static final String PLAN = "ulysses 1 x ring 1";

    static RunFigures figures(List<ResultRow> rows) {
        RunTally t = new RunTally("run", "/r", 100);
        rows.forEach(t::add);
        return t.finish();
    }

    @Test
    void percentilesInterpolateBetweenRanksAsNumpyDoes() {
        // numpy.percentile([1, 2, 3, 4, 10], [5, 25, 50, 75, 95]) = [1.2, 2, 3, 4, 8.8]
        Percentiles p = Percentiles.of(new double[] {10, 3, 1, 4, 2});
        assertEquals(5, p.count());
        assertEquals(1.2, p.p5(), 1e-12);
        assertEquals(2, p.p25(), 1e-12);
        assertEquals(3, p.p50(), 1e-12);
        assertEquals(4, p.p75(), 1e-12);
        assertEquals(8.8, p.p95(), 1e-12);
        assertEquals(4, p.mean(), 1e-12);
        assertEquals(1, p.min());
        assertEquals(10, p.max());
        assertEquals(7, Percentiles.of(new double[] {7}).p95());
        assertNull(Percentiles.of(new double[0]));
    }

    @Test
    void imagesPerHourDividesByTheBusiestGroup() {
        RunFigures f = figures(List.of(
                ReportRows.ok("a", 0, "h0", List.of(0), PLAN, 1000, 100),
                ReportRows.ok("b", 0, "h0", List.of(0), PLAN, 1000, 100),
                ReportRows.ok("c", 3, "h1", List.of(0), PLAN, 500, 100),
                ReportRows.failed("d", 3, "h1", PLAN, 250, "x")));
        Throughput t = f.throughput();
        assertEquals(2, t.groups());
        assertEquals(0, t.busiestGroup());
        assertEquals(2000, t.wallMs());
        assertEquals(2750, t.busySumMs());
        assertEquals(3 * 3_600_000.0 / 2000, t.imagesPerHour(), 1e-9);
        assertEquals(3 * 3_600_000.0 * 2 / 2750, t.balancedImagesPerHour(), 1e-9);
        assertEquals(3, f.ok());
        assertEquals(1, f.failed());
        assertEquals(2, f.gpus(), "(h0, 0) and (h1, 0)");
        assertEquals(List.of("h0", "h1"), f.hosts());
    }

    @Test
    void aRunWithoutRowsHasNoRate() {
        RunFigures f = figures(List.of());
        assertTrue(Double.isNaN(f.throughput().imagesPerHour()));
        assertEquals(-1, f.throughput().busiestGroup());
        assertNull(f.stages());
        assertTrue(f.stepsByGroup().isEmpty() && f.byIndex().isEmpty());
    }

    @Test
    void stageMeansCountOkRowsOnly() {
        RunFigures f = figures(List.of(
                ReportRows.ok("a", 0, "h", List.of(), PLAN, 1000),
                ReportRows.ok("b", 0, "h", List.of(), PLAN, 3000),
                ReportRows.failed("c", 0, "h", PLAN, 10_000, "x")));
        StageMeans m = f.stages();
        assertEquals(2, m.count());
        assertArrayEquals(new double[] {20, 80, 1600, 200, 100}, m.stages(), 1e-9);
        assertEquals(2000, m.totalMs(), 1e-9);
        assertEquals(0, m.otherMs(), 1e-9);
        assertEquals(1, f.gpus(), "the failed row ran on (h, 0) too");
    }

    @Test
    void timelineKeepsEachGroupsOrderAndMarksFailures() {
        RunFigures f = figures(List.of(
                ReportRows.ok("a", 1, "h", List.of(), PLAN, 900),
                ReportRows.ok("b", 2, "h", List.of(), PLAN, 800),
                ReportRows.failed("c", 1, "h", PLAN, 5, "x"),
                ReportRows.ok("d", 1, "h", List.of(), PLAN, 300),
                ReportRows.ok("e", 2, "h", List.of(), PLAN, 200)));
        assertArrayEquals(new double[] {900, Double.NaN, 300}, f.timeline().get(0).totalMs());
        assertArrayEquals(new double[] {800, 200}, f.timeline().get(1).totalMs());
        List<RunFigures.IndexSpread> byIndex = f.byIndex();
        assertEquals(new RunFigures.IndexSpread(0, 2, 850, 800, 900), byIndex.get(0));
        assertEquals(new RunFigures.IndexSpread(1, 1, 200, 200, 200), byIndex.get(1));
        assertEquals(new RunFigures.IndexSpread(2, 1, 300, 300, 300), byIndex.get(2));
        assertEquals(List.of("a", "b", "d", "e"), f.slowest().stream().map(Straggler::promptId).toList());
        assertEquals(2, f.slowest().get(2).index());
    }

    @Test
    void stepSpreadsPerGroupAndPerHost() {
        RunFigures f = figures(List.of(
                ReportRows.ok("a", 0, "h0", List.of(), PLAN, 100, 1, 2, 3),
                ReportRows.ok("b", 1, "h0", List.of(), PLAN, 100, 10, 20),
                ReportRows.ok("c", 2, "h1", List.of(), PLAN, 100, 7)));
        assertEquals(List.of("0", "1", "2"), f.stepsByGroup().stream().map(StepSpread::key).toList());
        assertEquals(2, f.stepsByGroup().get(0).spread().p50());
        assertEquals("h0; " + PLAN, f.stepsByGroup().get(0).detail());
        assertEquals(List.of("h0", "h1"), f.stepsByHost().stream().map(StepSpread::key).toList());
        assertEquals(5, f.stepsByHost().get(0).spread().count());
        assertEquals(3, f.stepsByHost().get(0).spread().p50());
        assertEquals("groups 0, 1", f.stepsByHost().get(0).detail());
    }
}
