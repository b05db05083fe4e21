package dev.sparkdit.job.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A 900 x 500 chart being drawn: white background, antialiased, title and legend on top, a y axis with grid lines,
 * an x axis of categories or numbers. The chart classes draw their marks inside {@link #plot}.
 * <pre>
 *   +-----------------------------------------------------------+
 *   | title                                                     |  TOP_TITLE
 *   | [#] legend  [#] legend  [#] legend ...                    |  one 20 px row per legend line
 *   | y |  plot                                                 |
 *   |   |                                                       |
 *   |   +-------------------------------------------------------+
 *   |      x tick labels (rotated when they do not fit)         |  bottom
 *   |                      x label                              |
 *   +-----------------------------------------------------------+
 *     LEFT                                               RIGHT
 * </pre>
 */
final class ChartCanvas {
    static final int WIDTH = 900;
    static final int HEIGHT = 500;
    static final int LEFT = 90;
    static final int RIGHT = 25;
    static final int PLOT_WIDTH = WIDTH - LEFT - RIGHT;
    private static final int TOP_TITLE = 44;
    private static final int LEGEND_ROW = 20;
    private static final int BOTTOM = 70;
    private static final int BOTTOM_ROTATED = 120;
    private static final double ROTATION = Math.toRadians(-35);
    private static final int ROTATED_MAX = 130;
    private static final int MAX_LEGEND = 12;

    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 18);
    static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    static final Font SMALL = new Font(Font.SANS_SERIF, Font.ITALIC, 11);

    /** A legend item: a swatch of {@code color} and its name. */
    record LegendEntry(String name, Color color) {
    }

    private final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    final Graphics2D g = image.createGraphics();
    /** Where the marks go. */
    final Rectangle plot;
    private Scale y;
    private Scale x;

    /**
     * @param rotatedCategories whether the x labels are rotated (see {@link #rotate}), which needs more room below
     */
    ChartCanvas(String title, List<LegendEntry> legend, boolean rotatedCategories) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setColor(Palette.TEXT);
        g.setFont(TITLE);
        g.drawString(fit(title, TITLE, WIDTH - 2 * 20), 20, 28);
        int rows = drawLegend(legend, TOP_TITLE);
        int top = TOP_TITLE + rows * LEGEND_ROW + 12;
        int bottom = rotatedCategories ? BOTTOM_ROTATED : BOTTOM;
        plot = new Rectangle(LEFT, top, PLOT_WIDTH, HEIGHT - top - bottom);
    }

    /** Whether category labels this wide need rotating to fit slots of {@code slotPx}. */
    static boolean rotate(List<String> labels, double slotPx) {
        FontMetrics fm = metrics(TICK);
        for (String s : labels) {
            if (fm.stringWidth(s) > slotPx - 6) {
                return true;
            }
        }
        return false;
    }

    /** Draws the y axis: grid lines, tick labels and the axis label, rotated. */
    void yAxis(Scale scale, String label) {
        this.y = scale;
        g.setFont(TICK);
        FontMetrics fm = g.getFontMetrics();
        for (double t : scale.ticks()) {
            int py = y(t);
            g.setColor(Palette.GRID);
            g.setStroke(new BasicStroke(1f));
            g.drawLine(plot.x, py, plot.x + plot.width, py);
            g.setColor(Palette.TEXT);
            String s = scale.label(t);
            g.drawString(s, plot.x - 8 - fm.stringWidth(s), py + fm.getAscent() / 2 - 1);
        }
        g.setFont(LABEL);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        String l = fit(label, LABEL, plot.height + 40);
        int w = g.getFontMetrics().stringWidth(l);
        g.drawString(l, -(plot.y + plot.height / 2 + w / 2), 22);
        g.setTransform(saved);
        axisLines();
    }

    /** Draws a numeric x axis: ticks, labels and the axis label. */
    void xAxis(Scale scale, String label) {
        this.x = scale;
        g.setFont(TICK);
        FontMetrics fm = g.getFontMetrics();
        g.setColor(Palette.AXIS);
        for (double t : scale.ticks()) {
            int px = x(t);
            g.drawLine(px, plot.y + plot.height, px, plot.y + plot.height + 5);
            String s = scale.label(t);
            g.drawString(s, px - fm.stringWidth(s) / 2, plot.y + plot.height + 8 + fm.getAscent());
        }
        xLabel(label);
    }

    /** Draws category labels centred under {@code centers} (pixels), rotated when {@code rotated}. */
    void categories(List<String> labels, double[] centers, double slotPx, boolean rotated, String label) {
        g.setFont(TICK);
        g.setColor(Palette.TEXT);
        FontMetrics fm = g.getFontMetrics();
        int base = plot.y + plot.height + 8 + fm.getAscent();
        for (int i = 0; i < labels.size(); i++) {
            int cx = (int) Math.round(centers[i]);
            if (rotated) {
                String s = fit(labels.get(i), TICK, ROTATED_MAX);
                AffineTransform saved = g.getTransform();
                g.translate(cx + fm.getAscent() / 2.0, plot.y + plot.height + 8);
                g.rotate(ROTATION);
                g.drawString(s, -fm.stringWidth(s), 0);
                g.setTransform(saved);
            } else {
                String s = fit(labels.get(i), TICK, (int) slotPx - 4);
                g.drawString(s, cx - fm.stringWidth(s) / 2, base);
            }
        }
        xLabel(label);
    }

    private void xLabel(String label) {
        g.setFont(LABEL);
        g.setColor(Palette.TEXT);
        String l = fit(label, LABEL, plot.width);
        int w = g.getFontMetrics().stringWidth(l);
        g.drawString(l, plot.x + plot.width / 2 - w / 2, HEIGHT - 14);
    }

    /** A small note right-aligned just above the plot (what was left out). */
    void note(String text) {
        g.setFont(SMALL);
        g.setColor(Palette.AXIS);
        String s = fit(text, SMALL, plot.width);
        g.drawString(s, plot.x + plot.width - g.getFontMetrics().stringWidth(s), plot.y - 3);
    }

    /** A short text centred over a mark (a bar's value). */
    void valueLabel(String text, double cx, int baseline) {
        g.setFont(TICK);
        g.setColor(Palette.TEXT);
        int w = g.getFontMetrics().stringWidth(text);
        g.drawString(text, (int) Math.round(cx - w / 2.0), baseline);
    }

    int y(double v) {
        return (int) Math.round(plot.y + plot.height - y.fraction(v) * plot.height);
    }

    int x(double v) {
        return (int) Math.round(plot.x + x.fraction(v) * plot.width);
    }

    double xExact(double v) {
        return plot.x + x.fraction(v) * plot.width;
    }

    double yExact(double v) {
        return plot.y + plot.height - y.fraction(v) * plot.height;
    }

    /** Finishes the chart: axis lines over the marks. */
    BufferedImage image() {
        axisLines();
        g.dispose();
        return image;
    }

    private void axisLines() {
        g.setColor(Palette.AXIS);
        g.setStroke(new BasicStroke(1.2f));
        g.drawLine(plot.x, plot.y, plot.x, plot.y + plot.height);
        g.drawLine(plot.x, plot.y + plot.height, plot.x + plot.width, plot.y + plot.height);
    }

    /** Lays the legend out in rows from the left; returns how many rows it took (at most 3). */
    private int drawLegend(List<LegendEntry> legend, int top) {
        if (legend.isEmpty()) {
            return 0;
        }
        List<LegendEntry> items = new ArrayList<>(legend);
        if (items.size() > MAX_LEGEND) {
            int more = items.size() - (MAX_LEGEND - 1);
            items = new ArrayList<>(items.subList(0, MAX_LEGEND - 1));
            items.add(new LegendEntry("+" + more + " more (see the tables)", null));
        }
        g.setFont(TICK);
        FontMetrics fm = g.getFontMetrics();
        int row = 0;
        int px = 20;
        for (LegendEntry item : items) {
            String name = fit(item.name(), TICK, 240);
            int w = (item.color() == null ? 0 : 20) + fm.stringWidth(name) + 18;
            if (px + w > WIDTH - RIGHT && px > 20) {
                row++;
                px = 20;
            }
            if (row == 3) {
                return 3;
            }
            int cy = top + row * LEGEND_ROW;
            int tx = px;
            if (item.color() != null) {
                g.setColor(item.color());
                g.fillRect(px, cy + 1, 14, 14);
                tx += 20;
            }
            g.setColor(Palette.TEXT);
            g.drawString(name, tx, cy + 12);
            px += w;
        }
        return row + 1;
    }

    /** {@code s} cut with an ellipsis to at most {@code maxPx} pixels in {@code font}. */
    static String fit(String s, Font font, int maxPx) {
        if (s.length() > 200) {
            s = s.substring(0, s.offsetByCodePoints(0, Math.min(200, s.codePointCount(0, s.length()))));
        }
        FontMetrics fm = metrics(font);
        if (fm.stringWidth(s) <= maxPx) {
            return s;
        }
        int end = s.length();
        while (end > 0 && fm.stringWidth(s.substring(0, end) + "\u2026") > maxPx) {
            end = s.offsetByCodePoints(end, -1);
        }
        return s.substring(0, end) + "\u2026";
    }

    private static FontMetrics metrics(Font font) {
        BufferedImage one = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = one.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            return g.getFontMetrics(font);
        } finally {
            g.dispose();
        }
    }
}
