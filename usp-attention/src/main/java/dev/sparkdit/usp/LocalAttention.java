package dev.sparkdit.usp;

import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Tensor;

/** Attention on one device over the whole sequence: no communication. */
public final class LocalAttention implements SequenceAttention {
    public static final LocalAttention INSTANCE = new LocalAttention();

    @Override
    public void attend(Ops ops, Tensor out, Tensor q, Tensor k, Tensor v, float scale) {
        ops.attention(out, null, q, k, v, scale);
    }

    @Override
    public String toString() {
        return "LocalAttention";
    }
}
