package dev.sparkdit.usp;

import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Tensor;
import dev.sparkdit.usp.comm.Communicator;
import dev.sparkdit.usp.comm.PeerWindows;

import java.util.Arrays;

/**
 * Unified Sequence Parallelism: a {@code ring x ulysses} mesh. Ulysses inside (its all-to-all among
 * the NVLink-connected ranks of one host), Ring outside (K/V blocks passed between hosts): q/k/v go
 * from sequence-split to head-split within the Ulysses group, ring attention runs over the ring group
 * on the head-split tensors (each ring member holding its Ulysses group's whole slice of the
 * sequence), and the output goes back with a second all-to-all.
 *
 * <p>{@code lengths} lists the tokens of every rank sharing the sequence in sequence-index order
 * ({@code ringIndex * ulysses + ulyssesIndex}, see {@link RankPlacement#sequenceIndex}).
 */
public final class UspAttention implements SequenceAttention {
    private final UlyssesAttention delegate;

    /** Default options, no peer windows. */
    public UspAttention(Communicator ulysses, Communicator ring, int[] lengths, Fp8Communication fp8) {
        this(ulysses, ring, lengths, fp8, SequenceOptions.DEFAULTS, PeerWindows.NONE);
    }

    /**
     * @param options the Ulysses switches (see {@link UlyssesAttention})
     * @param windows peer windows for the Ulysses exchange (see {@link UlyssesAttention})
     */
    public UspAttention(Communicator ulysses, Communicator ring, int[] lengths, Fp8Communication fp8,
                        SequenceOptions options, PeerWindows windows) {
        int u = ulysses.size();
        int r = ring.size();
        if (lengths.length != u * r) {
            throw new IllegalArgumentException("usp: " + lengths.length + " lengths " + Arrays.toString(lengths)
                    + " for ring " + r + " x ulysses " + u + " = " + (u * r) + " ranks");
        }
        int[] ringLengths = new int[r];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < u; j++) {
                ringLengths[i] += lengths[i * u + j];
            }
        }
        int[] ulyssesLengths = Arrays.copyOfRange(lengths, ring.rank() * u, ring.rank() * u + u);
        // The ring pairs ranks of different Ulysses groups, so every group must hand it the same head
        // blocks: pipelined head chunks only when every group takes the even path (equal lengths).
        SequenceOptions ulyssesOptions = evenGroups(lengths, u) ? options : options.withUlyssesChunks(1);
        this.delegate = new UlyssesAttention(ulysses, ulyssesLengths, fp8, new RingAttention(ring, ringLengths),
                ulyssesOptions, windows);
    }

    /** Whether every Ulysses group (consecutive runs of {@code u} lengths) holds equal, non-zero lengths. */
    static boolean evenGroups(int[] lengths, int u) {
        for (int i = 0; i < lengths.length; i += u) {
            if (!UlyssesAttention.even(lengths, i, i + u)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void attend(Ops ops, Tensor out, Tensor q, Tensor k, Tensor v, float scale) {
        delegate.attend(ops, out, q, k, v, scale);
    }

    @Override
    public QkvTargets qkvTargets(Ops ops, dev.sparkdit.tensor.DType dtype, long heads, long tokens, long headDim) {
        return delegate.qkvTargets(ops, dtype, heads, tokens, headDim);
    }

    @Override
    public ReplicaSplit replicas() {
        return delegate.replicas();
    }

    @Override
    public String toString() {
        return "UspAttention[" + delegate + "]";
    }
}
