package dev.sparkdit.images;

/**
 * The five PNG scanline filters (PNG specification, section 9) for 8-bit samples, and the adaptive
 * choice the specification recommends for truecolour images: per row, the filter whose output has the
 * smallest sum of absolute values when its bytes are read as signed. Filtering makes smooth image rows
 * mostly small numbers, which deflate compresses far better than raw pixels.
 */
enum ScanlineFilter {
    NONE, SUB, UP, AVERAGE, PAETH;

    /** The filter-type byte that starts a filtered scanline. */
    int typeByte() {
        return ordinal();
    }

    /**
     * Filters {@code row} (this scanline's raw bytes) against {@code previous} (the raw bytes of the row
     * above, all zeros for the first row) into {@code out[1 ..]}, and writes the type byte to {@code out[0]}.
     * {@code bpp} is bytes per pixel (3 for 8-bit RGB).
     */
    void apply(byte[] row, byte[] previous, int bpp, byte[] out) {
        out[0] = (byte) typeByte();
        for (int i = 0; i < row.length; i++) {
            int x = row[i] & 0xFF;
            int a = i >= bpp ? row[i - bpp] & 0xFF : 0;
            int b = previous[i] & 0xFF;
            int c = i >= bpp ? previous[i - bpp] & 0xFF : 0;
            int predictor = switch (this) {
                case NONE -> 0;
                case SUB -> a;
                case UP -> b;
                case AVERAGE -> (a + b) >>> 1;
                case PAETH -> paeth(a, b, c);
            };
            out[i + 1] = (byte) (x - predictor);
        }
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        if (pa <= pb && pa <= pc) {
            return a;
        }
        return pb <= pc ? b : c;
    }

    /**
     * Filters {@code row} with each filter and leaves in {@code out} the one with the smallest sum of
     * |signed byte| (ties to the lower type number); {@code scratch} is a second buffer of out's size.
     */
    static void applyBest(byte[] row, byte[] previous, int bpp, byte[] out, byte[] scratch) {
        long best = Long.MAX_VALUE;
        for (ScanlineFilter f : values()) {
            f.apply(row, previous, bpp, scratch);
            long cost = 0;
            for (int i = 1; i < scratch.length; i++) {
                cost += Math.abs(scratch[i]);
            }
            if (cost < best) {
                best = cost;
                System.arraycopy(scratch, 0, out, 0, out.length);
            }
        }
    }
}
