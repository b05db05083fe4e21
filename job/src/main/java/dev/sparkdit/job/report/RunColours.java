package dev.sparkdit.job.report;

import java.util.List;

/**
 * The runs' colours as RGB values (Tableau 10, distinct for the colour-blind too), kept apart from {@link Palette}
 * so that the page's swatches need no {@code java.awt}: a runtime without {@code java.desktop} still writes the page.
 */
final class RunColours {
    static final List<Integer> RGB = List.of(0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F, 0xEDC948, 0xB07AA1,
            0xFF9DA7, 0x9C755F, 0xBAB0AC);

    private RunColours() {
    }

    /** Run {@code i}'s colour; runs past the tenth repeat the cycle. */
    static int rgb(int i) {
        return RGB.get(Math.floorMod(i, RGB.size()));
    }

    /** Run {@code i}'s colour in the hex form HTML uses, e.g. {@code #4e79a7}. */
    static String hex(int i) {
        return String.format("#%06x", rgb(i) & 0xFFFFFF);
    }
}
