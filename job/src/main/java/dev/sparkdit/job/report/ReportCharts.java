package dev.sparkdit.job.report;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The report's four figures, drawn from the runs' figures. Each method returns null when no run has the data
 * the figure needs (the page then says so instead of showing an empty chart).
 */
final class ReportCharts {
    /** More boxes than this are unreadable at 900 px: each run then shows its first ones (the tables list all). */
    static final int MAX_BOXES = 40;

    private ReportCharts() {
    }

    /** (1) Images per hour, one bar per run. */
    static BufferedImage throughput(List<RunFigures> runs) {
        double[] values = new double[runs.size()];
        boolean any = false;
        List<Color> colors = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            values[i] = runs.get(i).throughput().imagesPerHour();
            any |= Double.isFinite(values[i]);
            colors.add(Palette.run(i));
        }
        if (!any) {
            return null;
        }
        return BarChart.draw("Images per hour", "ok images per hour", "run (busiest group's time as the wall)",
                labels(runs), values, colors, legend(runs));
    }

    /** (2) Mean time per stage over ok rows, stacked, one bar per run. */
    static BufferedImage stages(List<RunFigures> runs) {
        List<double[]> parts = new ArrayList<>();
        boolean any = false;
        for (RunFigures r : runs) {
            parts.add(r.stages() == null ? null : r.stages().stages());
            any |= r.stages() != null;
        }
        if (!any) {
            return null;
        }
        return StackedBarChart.draw("Mean time per stage (ok images)", "mean ms per image", "run", labels(runs),
                parts, StageMeans.NAMES, Palette.STAGES);
    }

    /** (3a) Step-time percentiles per group of each run. */
    static BufferedImage stepsByGroup(List<RunFigures> runs) {
        return steps(runs, RunFigures::stepsByGroup, s -> "g" + s.key(), "Denoising step time per group",
                "group (g = group index), by run", "groups");
    }

    /** (3b) Step-time percentiles per host of each run. */
    static BufferedImage stepsByHost(List<RunFigures> runs) {
        return steps(runs, RunFigures::stepsByHost, StepSpread::key, "Denoising step time per host", "host, by run",
                "hosts");
    }

    private static BufferedImage steps(List<RunFigures> runs, Function<RunFigures, List<StepSpread>> spreads,
                                       Function<StepSpread, String> label, String title, String xLabel,
                                       String what) {
        int[] sizes = runs.stream().mapToInt(r -> spreads.apply(r).size()).toArray();
        int total = Arrays.stream(sizes).sum();
        if (total == 0) {
            return null;
        }
        int perRun = perRun(sizes, MAX_BOXES);
        List<BoxChart.Box> boxes = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            List<StepSpread> s = spreads.apply(runs.get(i));
            for (int k = 0; k < Math.min(perRun, s.size()); k++) {
                boxes.add(new BoxChart.Box(label.apply(s.get(k)), i, s.get(k).spread()));
            }
        }
        String note = boxes.size() < total ? boxes.size() + " of " + total + " " + what
                + " shown (each run's first); the table lists all" : null;
        return BoxChart.draw(title + " (whiskers p5, p95; box p25, p75; line median)", "ms per step", xLabel, boxes,
                legend(runs), note);
    }

    /**
     * The most boxes each run may show so that all runs show at most {@code max} together: the largest q with
     * sum of min(q, sizes[i]) <= max (at least 1), so a run with few boxes leaves its share to the others.
     */
    static int perRun(int[] sizes, int max) {
        int q = 1;
        while (true) {
            long next = 0;
            boolean grows = false;
            for (int n : sizes) {
                next += Math.min(q + 1, n);
                grows |= n > q;
            }
            if (!grows || next > max) {
                return q;
            }
            q++;
        }
    }

    /** (4) Each ok image's total_ms over its index in its group, with each run's median per index. */
    static BufferedImage timePerImage(List<RunFigures> runs) {
        List<ScatterChart.Series> series = new ArrayList<>();
        boolean any = false;
        for (int i = 0; i < runs.size(); i++) {
            RunFigures r = runs.get(i);
            Doubles xs = new Doubles();
            Doubles ys = new Doubles();
            for (GroupTimes g : r.timeline()) {
                for (int k = 0; k < g.totalMs().length; k++) {
                    if (!Double.isNaN(g.totalMs()[k])) {
                        xs.add(k);
                        ys.add(g.totalMs()[k]);
                    }
                }
            }
            List<RunFigures.IndexSpread> byIndex = r.byIndex();
            double[] lx = new double[byIndex.size()];
            double[] ly = new double[byIndex.size()];
            for (int k = 0; k < byIndex.size(); k++) {
                lx[k] = byIndex.get(k).index();
                ly[k] = byIndex.get(k).median();
            }
            any |= xs.size() > 0;
            series.add(new ScatterChart.Series(Palette.run(i), xs.toArray(), ys.toArray(), lx, ly));
        }
        if (!any) {
            return null;
        }
        return ScatterChart.draw("Time per image by its place in its group (line: median over groups)",
                "total ms per image", "request index within its group (0 = the group's first)", series,
                legend(runs));
    }

    private static List<String> labels(List<RunFigures> runs) {
        return runs.stream().map(RunFigures::label).toList();
    }

    private static List<ChartCanvas.LegendEntry> legend(List<RunFigures> runs) {
        List<ChartCanvas.LegendEntry> legend = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            legend.add(new ChartCanvas.LegendEntry(runs.get(i).label(), Palette.run(i)));
        }
        return legend;
    }
}
