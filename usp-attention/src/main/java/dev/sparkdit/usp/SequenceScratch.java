package dev.sparkdit.usp;

import dev.sparkdit.tensor.Arena;

/**
 * How much scratch one {@code attend} call of the strategy for a plan may take on top of the caller's own
 * tensors: an upper bound over Ulysses' paths (uneven, even with head chunks, peer window), Ring's blocks and
 * the FP8 exchange, derived from what they allocate (sizes in elements, 4 bytes each, fp32 being the widest):
 * <pre>
 *   Ulysses (u > 1), hu = ceil(H / u) heads per rank, P = longest rank, Tu = the longest Ulysses group's tokens:
 *     uneven: send + recv [u, 3, hu, P, Dh] x 2, q/k/v [3, hu, Tu, Dh], out [Tu, hu Dh], back [u, P, hu Dh] x 2
 *             = hu Dh (8 u P + 4 Tu); the even and window paths take less
 *     FP8:    the send buffer again as e4m3 twice, plus one fp32 scale per row: below 3 u P hu Dh + 8 u P hu
 *   Ring (r > 1) on hr = hu (USP) or H heads, each member holding s &lt;= Tu tokens of a longest block p = Tu:
 *     K/V blocks [2, hr, p, Dh] x 2, accumulator and partial [s, hr Dh] fp32, two lse [hr, s] fp32
 *             = hr (4 p Dh + 2 s Dh + 2 s)
 * </pre>
 * plus one {@link Arena#ALIGNMENT} for each of up to 300 allocations (64 head chunks of four buffers each).
 */
public final class SequenceScratch {
    private SequenceScratch() {
    }

    /**
     * @param ulysses Ulysses degree
     * @param ring    Ring degree
     * @param lengths tokens of every rank sharing the sequence, in sequence-index order (ring-major)
     * @param heads   attention heads
     * @param headDim head dimension
     */
    public static long bytes(int ulysses, int ring, int[] lengths, long heads, long headDim) {
        if (lengths.length != ulysses * ring) {
            throw new IllegalArgumentException(lengths.length + " lengths for ulysses " + ulysses + " x ring " + ring);
        }
        if (ulysses * ring == 1) {
            return 0;
        }
        long p = 0;
        long tu = 0;
        for (int g = 0; g < ring; g++) {
            long group = 0;
            for (int i = 0; i < ulysses; i++) {
                int len = lengths[g * ulysses + i];
                p = Math.max(p, len);
                group += len;
            }
            tu = Math.max(tu, group);
        }
        long hu = (heads + ulysses - 1) / ulysses;
        long elements = 0;
        if (ulysses > 1) {
            elements += hu * headDim * (8L * ulysses * p + 4L * tu) + 3L * ulysses * p * hu * headDim
                    + 8L * ulysses * p * hu;
        }
        if (ring > 1) {
            long hr = ulysses > 1 ? hu : heads;
            elements += hr * (4L * tu * headDim + 2L * tu * headDim + 2L * tu);
        }
        return 4L * elements + 300L * Arena.ALIGNMENT;
    }
}
