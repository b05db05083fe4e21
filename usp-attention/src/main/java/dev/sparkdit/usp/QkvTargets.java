package dev.sparkdit.usp;

import dev.sparkdit.tensor.Tensor;

/**
 * Where a block writes its q, k and v before calling {@link SequenceAttention#attend}: each
 * {@code [H, S_local, Dh]}, or {@code [G, H/G, S_local, Dh]} when the strategy places groups of heads
 * apart (Ulysses' peer window: each group straight in the memory of the rank that attends over it).
 * {@code Ops.qkNormRope} writes either layout.
 */
public record QkvTargets(Tensor q, Tensor k, Tensor v) {
}
