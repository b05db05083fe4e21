package dev.sparkdit.job.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Percentile boxes: the box spans p25..p75 with a line at the median, the whiskers reach p5 and p95 (not the
 * extremes, which one slow step would stretch). A gap separates boxes of different runs.
 */
final class BoxChart {

    /** One box: its label under the axis, the run it belongs to (for colour and gaps) and its spread. */
    record Box(String label, int run, Percentiles spread) {
    }

    private BoxChart() {
    }

    static BufferedImage draw(String title, String yLabel, String xLabel, List<Box> boxes,
                              List<ChartCanvas.LegendEntry> legend, String note) {
        int n = boxes.size();
        int gaps = 0;
        for (int i = 1; i < n; i++) {
            gaps += boxes.get(i).run() != boxes.get(i - 1).run() ? 1 : 0;
        }
        double slot = ChartCanvas.PLOT_WIDTH / (n + gaps * 0.6);
        List<String> labels = boxes.stream().map(Box::label).toList();
        boolean rotated = ChartCanvas.rotate(labels, slot);
        ChartCanvas c = new ChartCanvas(title, legend, rotated);
        double max = 0;
        for (Box b : boxes) {
            max = Math.max(max, b.spread().p95());
        }
        Scale scale = Scale.fromZero(max * 1.08, 6);
        c.yAxis(scale, yLabel);
        double width = Math.min(slot * 0.6, 60);
        double[] centers = new double[n];
        double cursor = c.plot.x;
        for (int i = 0; i < n; i++) {
            Box b = boxes.get(i);
            if (i > 0 && b.run() != boxes.get(i - 1).run()) {
                cursor += slot * 0.6;
            }
            centers[i] = cursor + slot / 2;
            cursor += slot;
            Percentiles p = b.spread();
            double cx = centers[i];
            Color color = Palette.run(b.run());
            c.g.setStroke(new BasicStroke(1.3f));
            c.g.setColor(Palette.AXIS);
            c.g.draw(new Line2D.Double(cx, c.yExact(p.p5()), cx, c.yExact(p.p25())));
            c.g.draw(new Line2D.Double(cx, c.yExact(p.p75()), cx, c.yExact(p.p95())));
            c.g.draw(new Line2D.Double(cx - width / 4, c.yExact(p.p5()), cx + width / 4, c.yExact(p.p5())));
            c.g.draw(new Line2D.Double(cx - width / 4, c.yExact(p.p95()), cx + width / 4, c.yExact(p.p95())));
            double top = c.yExact(p.p75());
            double height = Math.max(1, c.yExact(p.p25()) - top);
            Rectangle2D box = new Rectangle2D.Double(cx - width / 2, top, width, height);
            c.g.setColor(Palette.withAlpha(color, 200));
            c.g.fill(box);
            c.g.setColor(Palette.AXIS);
            c.g.draw(box);
            c.g.setStroke(new BasicStroke(2.2f));
            c.g.setColor(Color.BLACK);
            c.g.draw(new Line2D.Double(cx - width / 2, c.yExact(p.p50()), cx + width / 2, c.yExact(p.p50())));
        }
        c.categories(labels, centers, slot, rotated, xLabel);
        if (note != null) {
            c.note(note);
        }
        return c.image();
    }
}
