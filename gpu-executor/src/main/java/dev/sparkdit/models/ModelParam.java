package dev.sparkdit.models;

import java.util.List;

/**
 * One tensor as the model code holds it, assembled by stacking checkpoint row ranges along dim 0:
 * a fused q/k/v projection from three diffusers tensors, or one row range of a fused BFL tensor.
 */
public record ModelParam(String name, long[] shape, List<ParamPart> parts) {
    public ModelParam {
        shape = shape.clone();
        parts = List.copyOf(parts);
        long rows = 0;
        for (ParamPart p : parts) {
            rows += p.rows();
        }
        if (rows != shape[0]) {
            throw new IllegalStateException("parameter " + name + ": parts stack " + rows + " rows, shape needs "
                    + shape[0]);
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }
}
