package dev.sparkdit.models.flux;

import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.HostBuffers;
import dev.sparkdit.tensor.Tensor;

/**
 * FLUX's 3-axis rotary tables (diffusers {@code FluxPosEmbed}): for each axis i with {@code d_i} dims,
 * frequencies {@code theta^(-2j/d_i)}, angles {@code pos_i * freq_j} in fp64, each cos and sin repeated
 * twice (pairs rotate together), axes concatenated into {@code [S, headDim]}, rounded to fp32 last.
 * Computed once per shape on the host: positions do not change between denoising steps.
 */
public final class FluxRope {
    private FluxRope() {
    }

    /** @param ids {@code [S, axes]} positions, row-major; returns {cos, sin}, each {@code [S, sum(axesDims)]}. */
    public static float[][] tables(int[] axesDims, float[] ids, int tokens) {
        int axes = axesDims.length;
        if (ids.length != tokens * axes) {
            throw new IllegalArgumentException("rope ids hold " + ids.length + " values, expected " + tokens + " x "
                    + axes);
        }
        int headDim = 0;
        for (int a : axesDims) {
            headDim += a;
        }
        float[] cos = new float[tokens * headDim];
        float[] sin = new float[tokens * headDim];
        int col = 0;
        for (int axis = 0; axis < axes; axis++) {
            int d = axesDims[axis];
            for (int j = 0; j < d / 2; j++) {
                double freq = 1.0 / Math.pow(FluxConfig.ROPE_THETA, (2.0 * j) / d);
                for (int s = 0; s < tokens; s++) {
                    double angle = (double) ids[s * axes + axis] * freq;
                    float c = (float) Math.cos(angle);
                    float sn = (float) Math.sin(angle);
                    int at = s * headDim + col + 2 * j;
                    cos[at] = c;
                    cos[at + 1] = c;
                    sin[at] = sn;
                    sin[at + 1] = sn;
                }
            }
            col += d;
        }
        return new float[][] {cos, sin};
    }

    /** The tables of some tokens on a device: {@code cos, sin [S, headDim]}, fp32. */
    public record Tables(Tensor cos, Tensor sin) {
    }

    /** Computes the tables for {@code ids [S, axes]} and uploads them into {@code arena} as fp32. */
    public static Tables upload(Ops ops, Arena arena, int[] axesDims, float[] ids, int tokens) {
        float[][] t = tables(axesDims, ids, tokens);
        int headDim = t[0].length / Math.max(tokens, 1);
        Tensor cos = arena.allocate(DType.F32, tokens, headDim);
        Tensor sin = arena.allocate(DType.F32, tokens, headDim);
        ops.copyFromHost(cos, HostBuffers.floats(t[0]), DType.F32);
        ops.copyFromHost(sin, HostBuffers.floats(t[1]), DType.F32);
        return new Tables(cos, sin);
    }
}
