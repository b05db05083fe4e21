package dev.sparkdit.cuda;

/**
 * How attention v11 spreads a call's tiles (one per head and 128 query rows) over the GPU. That kernel
 * holds one block per SM, so {@code T} tiles take {@code ceil(T / SMs)} waves, and the last one can leave most
 * SMs idle: Ulysses 2 at FLUX size has 12 heads x 36 row tiles = 432 tiles, 3.27 waves on 132 SMs. The tiles
 * after the last full wave (the tail) can instead be cut along the keys into {@code splits} units each; the
 * units write fp32 partial results with their log-sum-exp and {@code attention_split_merge} combines them.
 * With 36 tail tiles cut in 3, the tail takes a third of a wave instead of a whole one.
 *
 * <p>{@link #plan} picks the split count (1 to {@value #MAX_SPLITS}, at most one per key tile) that gives the
 * tail the fewest wave-lengths, {@code ceil(tail * splits / SMs) / splits}, and keeps 1 unless that saves at
 * least {@value #MIN_GAIN} of a wave: a split unit also loads its Q tile and fills its pipeline, and the merge
 * is one more kernel.
 *
 * @param fullTiles tiles run whole (the first ones, in the kernel's order)
 * @param splits    key splits of each tail tile; 1 = no split
 * @param tailTiles tiles cut into {@code splits} units (0 when {@code splits} is 1)
 */
public record TailSplit(long fullTiles, int splits, long tailTiles) {
    static final int MAX_SPLITS = 4;
    static final double MIN_GAIN = 0.2;
    /** Floats of one unit's partial result: 128 rows x 128 head dims, then 128 log-sum-exps. */
    static final long PART_FLOATS = 128L * 128 + 128;

    public static TailSplit plan(long tiles, int sms, long keyTiles) {
        if (tiles < 0 || sms < 1 || keyTiles < 0) {
            throw new IllegalArgumentException("tail split: tiles " + tiles + ", SMs " + sms + ", key tiles " + keyTiles);
        }
        long full = tiles / sms * sms;
        long tail = tiles - full;
        int best = 1;
        double bestCost = 1;
        for (int s = 2; s <= Math.min(MAX_SPLITS, keyTiles); s++) {
            double cost = (double) ceilDiv(tail * s, sms) / s;
            if (cost < bestCost - 1e-9) {
                best = s;
                bestCost = cost;
            }
        }
        if (tail == 0 || 1 - bestCost < MIN_GAIN) {
            return new TailSplit(tiles, 1, 0);
        }
        return new TailSplit(full, best, tail);
    }

    /** Blocks of the attention launch. */
    public long blocks() {
        return fullTiles + tailTiles * splits;
    }

    /** Floats of the partial-result workspace (0 without a split). */
    public long partFloats() {
        return tailTiles * splits * PART_FLOATS;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
