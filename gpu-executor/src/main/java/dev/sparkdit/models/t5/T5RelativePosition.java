package dev.sparkdit.models.t5;

/**
 * T5's bidirectional relative position buckets (transformers {@code T5Attention._relative_position_bucket} with
 * {@code bidirectional=True}) and the position bias they index. Computed on the host in float32 as the reference
 * does, so that the buckets (a truncation of a logarithm) come out the same.
 */
public final class T5RelativePosition {
    private T5RelativePosition() {
    }

    /** The bucket of {@code relative = key position - query position}. */
    public static int bucket(int relative, int numBuckets, int maxDistance) {
        int half = numBuckets / 2;
        int bucket = relative > 0 ? half : 0;
        int distance = Math.abs(relative);
        int maxExact = half / 2;
        if (distance < maxExact) {
            return bucket + distance;
        }
        float logRatio = (float) Math.log((float) distance / (float) maxExact);
        float scaled = logRatio / (float) Math.log((double) maxDistance / maxExact) * (float) (half - maxExact);
        int large = maxExact + (int) scaled;
        return bucket + Math.min(large, half - 1);
    }

    /**
     * The additive bias {@code [H, S, S]} for {@code tokens} tokens: {@code bias[h][i][j] = weight[bucket(j - i)][h]}.
     *
     * @param weight the block-0 {@code relative_attention_bias.weight}, {@code [numBuckets, heads]} row-major
     */
    public static float[] bias(float[] weight, int heads, int tokens, int numBuckets, int maxDistance) {
        if (weight.length != numBuckets * heads) {
            throw new IllegalArgumentException("relative_attention_bias holds " + weight.length + " values, expected "
                    + numBuckets + " x " + heads);
        }
        float[] out = new float[heads * tokens * tokens];
        for (int i = 0; i < tokens; i++) {
            for (int j = 0; j < tokens; j++) {
                int b = bucket(j - i, numBuckets, maxDistance);
                for (int h = 0; h < heads; h++) {
                    out[(h * tokens + i) * tokens + j] = weight[b * heads + h];
                }
            }
        }
        return out;
    }
}
