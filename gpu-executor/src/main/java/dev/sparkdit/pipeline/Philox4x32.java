package dev.sparkdit.pipeline;

/**
 * Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw, "Parallel random
 * numbers: as easy as 1, 2, 3" (SC'11), as specified by Random123 and used by cuRAND: a keyed bijection
 * of a 128-bit counter, so the n-th output block costs one evaluation and needs no state.
 *
 * <pre>
 * counter  c0 c1 c2 c3   four 32-bit words
 * key      k0 k1         two 32-bit words
 * round:   (hi0, lo0) = 0xD2511F53 * c0     (32 x 32 -> 64-bit product, high and low words)
 *          (hi1, lo1) = 0xCD9E8D57 * c2
 *          c = (hi1 ^ c1 ^ k0,  lo1,  hi0 ^ c3 ^ k1,  lo0)
 * key bump between rounds: k0 += 0x9E3779B9, k1 += 0xBB67AE85   (mod 2^32)
 * 10 rounds, the first with the key as given (so 9 bumps).
 * </pre>
 *
 * All words are unsigned; Java's {@code int} holds them bit for bit.
 */
public final class Philox4x32 {
    static final int M0 = 0xD2511F53;
    static final int M1 = 0xCD9E8D57;
    static final int W0 = 0x9E3779B9;
    static final int W1 = 0xBB67AE85;
    static final int ROUNDS = 10;
    private static final long LOW32 = 0xFFFF_FFFFL;

    private Philox4x32() {
    }

    /** The four output words for counter {@code (c0, c1, c2, c3)} under key {@code (k0, k1)}, into {@code out[0..3]}. */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int round = 0; round < ROUNDS; round++) {
            if (round > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = (M0 & LOW32) * (c0 & LOW32);
            long p1 = (M1 & LOW32) * (c2 & LOW32);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }
}
