package dev.sparkdit.job.report;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/** One bar per category with its value written above it; a NaN value draws no bar and reads "n/a". */
final class BarChart {

    private BarChart() {
    }

    static BufferedImage draw(String title, String yLabel, String xLabel, List<String> labels, double[] values,
                              List<Color> colors, List<ChartCanvas.LegendEntry> legend) {
        int n = labels.size();
        double slot = (double) ChartCanvas.PLOT_WIDTH / n;
        boolean rotated = ChartCanvas.rotate(labels, slot);
        ChartCanvas c = new ChartCanvas(title, legend, rotated);
        double max = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                max = Math.max(max, v);
            }
        }
        Scale scale = Scale.fromZero(max * 1.12, 6);
        c.yAxis(scale, yLabel);
        double barWidth = Math.min(slot * 0.6, 140);
        double[] centers = new double[n];
        for (int i = 0; i < n; i++) {
            centers[i] = c.plot.x + slot * (i + 0.5);
            double v = values[i];
            if (Double.isFinite(v)) {
                int top = c.y(v);
                c.g.setColor(colors.get(i));
                c.g.fillRect((int) Math.round(centers[i] - barWidth / 2), top, (int) Math.round(barWidth),
                        c.y(scale.min()) - top);
                c.valueLabel(String.format(Locale.ROOT, "%,.1f", v), centers[i], top - 5);
            } else {
                c.valueLabel("n/a", centers[i], c.y(scale.min()) - 5);
            }
        }
        c.categories(labels, centers, slot, rotated, xLabel);
        return c.image();
    }
}
