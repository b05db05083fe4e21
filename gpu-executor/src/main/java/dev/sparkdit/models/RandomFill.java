package dev.sparkdit.models;

import dev.sparkdit.ops.Ops;
import dev.sparkdit.ops.SeededUniform;
import dev.sparkdit.tensor.Tensor;

/**
 * How a seeded random model fills one parameter: element {@code i}, in the order the model holds the parameter, is
 * {@code offset + scale * (2u - 1)} with {@code u = SeededUniform.unit(seed, i)}, exactly what {@link Ops#fillUniform}
 * makes on a device. The models' {@code randomFills} list one per parameter, their {@code random} methods fill from
 * that list, and a random model folder is written from the same list, so it holds the same model.
 */
public record RandomFill(ModelParam param, long seed, float offset, float scale) {

    /** Element {@code index} of the parameter as the model holds it. */
    public float value(long index) {
        return offset + scale * (2f * SeededUniform.unit(seed, index) - 1f);
    }

    /** Fills {@code t} (the parameter, as the model holds it) on its device. */
    public void fill(Ops ops, Tensor t) {
        ops.fillUniform(t, seed, offset, scale);
    }
}
