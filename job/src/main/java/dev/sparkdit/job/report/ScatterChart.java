package dev.sparkdit.job.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.List;

/** Points per series, translucent so that piles show, each series with a line through its per-x medians. */
final class ScatterChart {

    /** One series: its points (x[i], y[i]) and the line through (lineX[i], lineY[i]). */
    record Series(Color color, double[] x, double[] y, double[] lineX, double[] lineY) {
    }

    private ScatterChart() {
    }

    static BufferedImage draw(String title, String yLabel, String xLabel, List<Series> series,
                              List<ChartCanvas.LegendEntry> legend) {
        ChartCanvas c = new ChartCanvas(title, legend, false);
        double xMax = 0;
        double yMax = 0;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                xMax = Math.max(xMax, s.x()[i]);
                yMax = Math.max(yMax, s.y()[i]);
            }
        }
        c.yAxis(Scale.fromZero(yMax * 1.08, 6), yLabel);
        c.xAxis(Scale.fromZero(Math.max(xMax, 1), 10), xLabel);
        double r = 3.2;
        for (Series s : series) {
            c.g.setColor(Palette.withAlpha(s.color(), 110));
            for (int i = 0; i < s.x().length; i++) {
                c.g.fill(new Ellipse2D.Double(c.xExact(s.x()[i]) - r, c.yExact(s.y()[i]) - r, 2 * r, 2 * r));
            }
        }
        for (Series s : series) {
            if (s.lineX().length < 2) {
                continue;
            }
            Path2D.Double line = new Path2D.Double();
            line.moveTo(c.xExact(s.lineX()[0]), c.yExact(s.lineY()[0]));
            for (int i = 1; i < s.lineX().length; i++) {
                line.lineTo(c.xExact(s.lineX()[i]), c.yExact(s.lineY()[i]));
            }
            c.g.setStroke(new BasicStroke(2.4f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            c.g.setColor(s.color().darker());
            c.g.draw(line);
        }
        return c.image();
    }
}
