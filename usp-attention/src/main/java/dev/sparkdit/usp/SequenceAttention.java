package dev.sparkdit.usp;

import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Tensor;

/**
 * The attention seam a transformer block calls; parallelism is applied from outside by choosing the
 * implementation. Each rank passes its LOCAL tokens only; attention has no mask, so it is invariant
 * to the order of keys and ranks' local token orders need no reordering.
 *
 * <pre>
 *   q, k, v  [H, S_local, Dh]   head-major, RoPE applied
 *   out      [S_local, H*Dh]    token-major, ready for the output projection (may be row-strided)
 * </pre>
 *
 * Temporaries come from {@code ops.scratch()} between a mark and a reset, so repeated calls reuse
 * the same addresses (CUDA graph capture).
 */
public interface SequenceAttention {
    void attend(Ops ops, Tensor out, Tensor q, Tensor k, Tensor v, float scale);
}
