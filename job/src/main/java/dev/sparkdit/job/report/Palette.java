package dev.sparkdit.job.report;

import java.awt.Color;
import java.util.List;

/** Colours: one per run (Tableau 10, distinct for the colour-blind too) and one per stage. */
final class Palette {
    private static final List<Color> RUNS = List.of(new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759),
            new Color(0x76B7B2), new Color(0x59A14F), new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7),
            new Color(0x9C755F), new Color(0xBAB0AC));

    /** tokenize, text encode, denoise, decode, write: as {@link StageMeans#NAMES}. */
    static final List<Color> STAGES = List.of(new Color(0xBAB0AC), new Color(0x76B7B2), new Color(0x4E79A7),
            new Color(0xF28E2B), new Color(0x59A14F));

    static final Color GRID = new Color(0xE3E3E3);
    static final Color AXIS = new Color(0x444444);
    static final Color TEXT = new Color(0x222222);

    private Palette() {
    }

    /** Run {@code i}'s colour; runs past the tenth repeat the cycle. */
    static Color run(int i) {
        return RUNS.get(Math.floorMod(i, RUNS.size()));
    }

    /** {@code c} with an alpha of {@code alpha} (0..255). */
    static Color withAlpha(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    /** The hex form HTML uses, e.g. {@code #4e79a7}. */
    static String hex(Color c) {
        return String.format("#%06x", c.getRGB() & 0xFFFFFF);
    }
}
