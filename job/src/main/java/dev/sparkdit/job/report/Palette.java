package dev.sparkdit.job.report;

import java.awt.Color;
import java.util.List;

/** The figures' colours: one per run (from {@link RunColours}) and one per stage. */
final class Palette {
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
        return new Color(RunColours.rgb(i));
    }

    /** {@code c} with an alpha of {@code alpha} (0..255). */
    static Color withAlpha(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }
}
