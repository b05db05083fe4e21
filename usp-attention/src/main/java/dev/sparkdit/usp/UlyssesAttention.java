package dev.sparkdit.usp;

import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;
import dev.sparkdit.usp.comm.Communicator;

import java.util.Arrays;

/**
 * Ulysses (DeepSpeed-Ulysses) sequence parallelism over the {@code U} ranks of one communicator: an
 * all-to-all turns sequence-split q/k/v into head-split ones holding the whole sequence, attention runs
 * locally on {@code ceil(H/U)} heads (or through {@code inner}, e.g. a ring over more ranks), and a
 * second all-to-all turns the head-split output back into this rank's tokens.
 *
 * <pre>
 *   in   q, k, v  [H, S_r, Dh]              S_r = lengths[r], this rank's tokens
 *   send          [U, 3, hu, P, Dh]         chunk j = heads [j*hu, (j+1)*hu) of q, k, v; rows >= S_r unused
 *   recv          [U, 3, hu, P, Dh]         chunk i = rank i's tokens of my heads
 *   qkv           [3, hu, S, Dh]            compacted: rank i's rows at [off_i, off_i + S_i), no padding
 *   outH          [S, hu*Dh]                inner attention over the whole sequence
 *   send2, recv2  [U, P, hu*Dh]             back: chunk i = rank i's rows of my heads
 *   out           [S_r, H*Dh]               heads of chunk j written at columns [j*hu*Dh, ...)
 * </pre>
 * {@code hu = ceil(H / U)}, {@code P = max_i S_i}, {@code S = sum_i S_i}. Heads past {@code H} are
 * zero padding whose outputs are dropped; padded rows are compacted away before attention, so no mask
 * is needed. Every rank must be constructed with the same {@code lengths}.
 */
public final class UlyssesAttention implements SequenceAttention {
    private final Communicator comm;
    private final int[] lengths;
    private final int[] offsets;
    private final int total;
    private final int padded;
    private final Fp8Communication fp8;
    private final SequenceAttention inner;

    /** Local attention on the head-split tensors. */
    public UlyssesAttention(Communicator comm, int[] lengths, Fp8Communication fp8) {
        this(comm, lengths, fp8, LocalAttention.INSTANCE);
    }

    /**
     * @param lengths tokens held by each rank of {@code comm}, indexed by group rank
     * @param inner   attention over the gathered sequence {@code [hu, S, Dh]} (local, or a ring)
     */
    public UlyssesAttention(Communicator comm, int[] lengths, Fp8Communication fp8, SequenceAttention inner) {
        if (lengths.length != comm.size()) {
            throw new IllegalArgumentException("ulysses: " + lengths.length + " lengths " + Arrays.toString(lengths)
                    + " for a group of " + comm.size() + " ranks");
        }
        this.comm = comm;
        this.lengths = lengths.clone();
        this.offsets = new int[lengths.length];
        int at = 0;
        int max = 0;
        for (int i = 0; i < lengths.length; i++) {
            if (lengths[i] < 0) {
                throw new IllegalArgumentException("ulysses: negative length in " + Arrays.toString(lengths));
            }
            offsets[i] = at;
            at += lengths[i];
            max = Math.max(max, lengths[i]);
        }
        this.total = at;
        this.padded = max;
        this.fp8 = fp8;
        this.inner = inner;
    }

    @Override
    public void attend(Ops ops, Tensor out, Tensor q, Tensor k, Tensor v, float scale) {
        int u = comm.size();
        int me = comm.rank();
        long h = q.dim(0);
        long s = q.dim(1);
        long dh = q.dim(2);
        LocalShapes.require("ulysses", me, lengths, out, q, k, v);
        if (u == 1) {
            inner.attend(ops, out, q, k, v, scale);
            return;
        }
        long hu = (h + u - 1) / u;
        long full = h / hu;
        long rem = h - full * hu;
        long p = padded;
        DType dt = q.dtype();
        Arena a = ops.scratch();
        long mark = a.mark();
        try {
            // ---- sequence-split -> head-split ----------------------------------------------------
            Tensor send = a.allocate(dt, u, 3, hu, p, dh);
            Tensor recv = a.allocate(dt, u, 3, hu, p, dh);
            if (hu * u != h) {
                ops.fill(send, 0f); // padded heads attend to zeros: finite, and dropped on the way back
            }
            Tensor[] qkvIn = {q, k, v};
            long chunk = 3 * hu * p * dh;
            long head = p * dh;
            for (int t = 0; t < 3 && s > 0; t++) {
                Tensor src = qkvIn[t];
                if (full > 0) {
                    Tensor from = new Tensor(src.address(), src.device(), dt, new long[] {full, hu, s, dh},
                            new long[] {hu * src.stride(0), src.stride(0), src.stride(1), src.stride(2)});
                    ops.copy(at(send, t * hu * head, new long[] {full, hu, s, dh},
                            new long[] {chunk, head, dh, 1}), from);
                }
                if (rem > 0) {
                    ops.copy(at(send, full * chunk + t * hu * head, new long[] {rem, s, dh},
                            new long[] {head, dh, 1}), src.narrow(0, full * hu, rem));
                }
            }
            fp8.allToAll(ops, comm, send, recv, (int) dh);
            Tensor qkv = a.allocate(dt, 3, hu, total, dh);
            for (int i = 0; i < u; i++) {
                long len = lengths[i];
                if (len == 0) {
                    continue;
                }
                ops.copy(at(qkv, offsets[i] * dh, new long[] {3, hu, len, dh},
                                new long[] {hu * total * dh, total * dh, dh, 1}),
                        at(recv, i * chunk, new long[] {3, hu, len, dh}, new long[] {hu * head, head, dh, 1}));
            }

            // ---- attention over the whole sequence, hu heads ----------------------------------------
            Tensor outH = a.allocate(out.dtype(), total, hu * dh);
            inner.attend(ops, outH, slice(qkv, 0), slice(qkv, 1), slice(qkv, 2), scale);

            // ---- head-split -> sequence-split ---------------------------------------------------------
            Tensor send2 = a.allocate(out.dtype(), u, p, hu * dh);
            Tensor recv2 = a.allocate(out.dtype(), u, p, hu * dh);
            for (int i = 0; i < u; i++) {
                long len = lengths[i];
                if (len > 0) {
                    ops.copy(send2.narrow(0, i, 1).view(p, hu * dh).narrow(0, 0, len),
                            outH.narrow(0, offsets[i], len));
                }
            }
            fp8.allToAll(ops, comm, send2, recv2, (int) dh);
            if (s > 0) {
                if (full > 0) {
                    ops.copy(new Tensor(out.address(), out.device(), out.dtype(), new long[] {full, s, hu * dh},
                                    new long[] {hu * dh, out.stride(0), 1}),
                            at(recv2, 0, new long[] {full, s, hu * dh}, new long[] {p * hu * dh, hu * dh, 1}));
                }
                if (rem > 0) {
                    ops.copy(out.narrow(1, full * hu * dh, rem * dh),
                            at(recv2, full * p * hu * dh, new long[] {s, rem * dh}, new long[] {hu * dh, 1}));
                }
            }
        } finally {
            a.reset(mark);
        }
    }

    /** A strided view into contiguous {@code base} starting {@code offset} elements in. */
    static Tensor at(Tensor base, long offset, long[] shape, long[] strides) {
        return new Tensor(base.address() + offset * base.dtype().bytes(), base.device(), base.dtype(), shape, strides);
    }

    /** {@code t[i]} of a contiguous {@code [3, hu, S, Dh]} as {@code [hu, S, Dh]}. */
    static Tensor slice(Tensor t, int i) {
        return t.narrow(0, i, 1).view(t.dim(1), t.dim(2), t.dim(3));
    }

    public int[] lengths() {
        return lengths.clone();
    }

    @Override
    public String toString() {
        return "UlyssesAttention[" + comm + ", lengths " + Arrays.toString(lengths) + ", fp8 " + fp8 + ", inner "
                + inner + "]";
    }
}
