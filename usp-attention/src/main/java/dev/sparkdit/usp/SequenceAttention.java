package dev.sparkdit.usp;

import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
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

    /**
     * The q, k, v a block should fill for its next {@link #attend} call, so that a strategy can have
     * them written where it needs them (Ulysses: straight into the peers' memory, with no pack copy and
     * no collective). Default: three contiguous {@code [heads, tokens, headDim]} tensors from
     * {@code ops.scratch()}, released by the caller's reset like any scratch.
     */
    default QkvTargets qkvTargets(Ops ops, DType dtype, long heads, long tokens, long headDim) {
        Arena a = ops.scratch();
        return new QkvTargets(a.allocate(dtype, heads, tokens, headDim), a.allocate(dtype, heads, tokens, headDim),
                a.allocate(dtype, heads, tokens, headDim));
    }

    /**
     * The ranks sharing this sequence that may split replicated work (see {@link ReplicaSplit}). Default:
     * this rank alone. Ulysses answers with its group, whose members are NVLink neighbours; a ring does
     * not, since its members may sit on different hosts, where a per-step all-gather costs more than the
     * modulation weights it saves reading.
     */
    default ReplicaSplit replicas() {
        return ReplicaSplit.ALONE;
    }
}
