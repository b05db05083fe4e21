package dev.sparkdit.ops;

/**
 * The values of {@link Ops#fillUniform}: element {@code i} of seed {@code s} is
 * {@code offset + scale * (2u - 1)} with {@code u = (splitmix64(s ^ splitmix64(i)) >>> 40) / 2^24}, 24 random
 * bits in [0, 1). Every backend computes exactly this (the CUDA kernel is fill_random.cu), so a seeded random
 * model is the same model on the CPU and on every GPU.
 */
public final class SeededUniform {
    private SeededUniform() {
    }

    /** Sebastiano Vigna's splitmix64 finaliser. */
    public static long splitmix64(long x) {
        x += 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    /** u in [0, 1) for element {@code index}. */
    public static float unit(long seed, long index) {
        long h = splitmix64(seed ^ splitmix64(index));
        return (float) (h >>> 40) * (1.0f / 16777216.0f);
    }

    /** Elements {@code [first, first + out.length)}. */
    public static void fill(float[] out, long seed, long first, float offset, float scale) {
        for (int i = 0; i < out.length; i++) {
            out[i] = offset + scale * (2f * unit(seed, first + i) - 1f);
        }
    }
}
