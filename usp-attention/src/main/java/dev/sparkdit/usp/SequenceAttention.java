package dev.sparkdit.usp;

import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Tensor;

/**
 * The attention seam blocks call. A block hands over its local tokens' q, k, v {@code [H, S_local, Dh]}
 * (RoPE applied) and receives {@code out [S_local, H*Dh]}; how the sequence is spread over ranks is the
 * implementation's business, never the model's.
 */
public interface SequenceAttention {
    void attend(Ops ops, Tensor out, Tensor q, Tensor k, Tensor v, float scale);
}
