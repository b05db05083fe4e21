package dev.sparkdit.job.report;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One bar per category made of stacked parts (bottom first), the sum written above it; a category whose parts
 * are null draws no bar and reads "n/a".
 */
final class StackedBarChart {

    private StackedBarChart() {
    }

    /**
     * @param parts per category, the value of each part (null: no data); every array as long as {@code names}
     */
    static BufferedImage draw(String title, String yLabel, String xLabel, List<String> labels, List<double[]> parts,
                              List<String> names, List<Color> colors) {
        int n = labels.size();
        double slot = (double) ChartCanvas.PLOT_WIDTH / n;
        boolean rotated = ChartCanvas.rotate(labels, slot);
        List<ChartCanvas.LegendEntry> legend = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            legend.add(new ChartCanvas.LegendEntry(names.get(k), colors.get(k)));
        }
        ChartCanvas c = new ChartCanvas(title, legend, rotated);
        double max = 0;
        for (double[] p : parts) {
            if (p != null) {
                max = Math.max(max, sum(p));
            }
        }
        Scale scale = Scale.fromZero(max * 1.12, 6);
        c.yAxis(scale, yLabel);
        double barWidth = Math.min(slot * 0.6, 140);
        double[] centers = new double[n];
        for (int i = 0; i < n; i++) {
            centers[i] = c.plot.x + slot * (i + 0.5);
            double[] p = parts.get(i);
            if (p == null) {
                c.valueLabel("n/a", centers[i], c.y(scale.min()) - 5);
                continue;
            }
            double below = 0;
            int left = (int) Math.round(centers[i] - barWidth / 2);
            for (int k = 0; k < p.length; k++) {
                int bottom = c.y(below);
                int top = c.y(below + p[k]);
                c.g.setColor(colors.get(k));
                c.g.fillRect(left, top, (int) Math.round(barWidth), bottom - top);
                below += p[k];
            }
            c.valueLabel(String.format(Locale.ROOT, "%,.0f ms", below), centers[i], c.y(below) - 5);
        }
        c.categories(labels, centers, slot, rotated, xLabel);
        return c.image();
    }

    private static double sum(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }
}
