package dev.sparkdit.usp;

import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;
import dev.sparkdit.usp.comm.Communicator;

import java.util.Arrays;

/**
 * Ring attention over the {@code R} ranks of one communicator: each rank keeps its queries and passes
 * its key/value block around the ring; after {@code R} steps every query has seen every key. Each step's
 * partial result is merged in fp32 through the log-sum-exp ({@code ops.mergeAttention}).
 *
 * <pre>
 *   q, k, v       [H, S_r, Dh]     S_r = lengths[r]
 *   kv0, kv1      [2, H, P, Dh]    double buffer: K then V of one rank, rows >= its length unused
 *   acc, part     [S_r, H*Dh] fp32 running and per-step output
 *   lse, lseB     [H, S_r]    fp32
 * </pre>
 * At step {@code t} the block in hand came from rank {@code (r - t) mod R}; its K/V are narrowed to
 * that rank's length, so padded rows never enter a softmax. The transfer of the next block (send to
 * {@code r+1}, receive from {@code r-1}) is started before the current block's attention and awaited
 * after it, so on GPUs it overlaps with compute. Every rank must be constructed with the same lengths.
 */
public final class RingAttention implements SequenceAttention {
    private final Communicator comm;
    private final int[] lengths;
    private final int padded;

    /** @param lengths tokens held by each rank of {@code comm}, indexed by group rank */
    public RingAttention(Communicator comm, int[] lengths) {
        int max = LocalShapes.requireLengths("ring", lengths, comm.size());
        this.comm = comm;
        this.lengths = lengths.clone();
        this.padded = max;
    }

    @Override
    public void attend(Ops ops, Tensor out, Tensor q, Tensor k, Tensor v, float scale) {
        int n = comm.size();
        int me = comm.rank();
        long h = q.dim(0);
        long s = q.dim(1);
        long dh = q.dim(2);
        LocalShapes.require("ring", me, lengths, out, q, k, v);
        if (n == 1) {
            ops.attention(out, null, q, k, v, scale);
            return;
        }
        long p = padded;
        Arena a = ops.scratch();
        long mark = a.mark();
        try {
            Tensor[] kv = {a.allocate(k.dtype(), 2, h, p, dh), a.allocate(k.dtype(), 2, h, p, dh)};
            Tensor acc = a.allocate(DType.F32, s, h * dh);
            Tensor lse = a.allocate(DType.F32, h, s);
            Tensor part = a.allocate(DType.F32, s, h * dh);
            Tensor lseB = a.allocate(DType.F32, h, s);
            if (s > 0) {
                ops.copy(block(kv[0], 0).narrow(1, 0, s), k);
                ops.copy(block(kv[0], 1).narrow(1, 0, s), v);
            }
            int next = (me + 1) % n;
            int prev = (me - 1 + n) % n;
            boolean started = false;
            for (int step = 0; step < n; step++) {
                Tensor cur = kv[step % 2];
                Communicator.Transfer transfer = step < n - 1
                        ? comm.startSendRecv(cur, next, kv[(step + 1) % 2], prev)
                        : Communicator.Transfer.DONE;
                long len = lengths[(me - step + n) % n];
                if (len > 0 && s > 0) {
                    Tensor kb = block(cur, 0).narrow(1, 0, len);
                    Tensor vb = block(cur, 1).narrow(1, 0, len);
                    if (!started) {
                        ops.attention(acc, lse, q, kb, vb, scale);
                        started = true;
                    } else {
                        ops.attention(part, lseB, q, kb, vb, scale);
                        ops.mergeAttention(acc, lse, part, lseB);
                    }
                }
                transfer.await();
            }
            if (s > 0) {
                ops.copy(out, acc);
            }
        } finally {
            a.reset(mark);
        }
    }

    /** K ({@code i = 0}) or V ({@code i = 1}) of a {@code [2, H, P, Dh]} block buffer. */
    private static Tensor block(Tensor kv, int i) {
        return kv.narrow(0, i, 1).view(kv.dim(1), kv.dim(2), kv.dim(3));
    }

    public int[] lengths() {
        return lengths.clone();
    }

    @Override
    public String toString() {
        return "RingAttention[" + comm + ", lengths " + Arrays.toString(lengths) + "]";
    }
}
