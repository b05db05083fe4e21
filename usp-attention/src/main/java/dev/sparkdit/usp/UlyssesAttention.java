package dev.sparkdit.usp;

import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;
import dev.sparkdit.usp.comm.Communicator;
import dev.sparkdit.usp.comm.PeerWindow;
import dev.sparkdit.usp.comm.PeerWindows;

import java.util.Arrays;

/**
 * Ulysses (DeepSpeed-Ulysses) sequence parallelism over the {@code U} ranks of one communicator: an
 * all-to-all turns sequence-split q/k/v into head-split ones holding the whole sequence, attention runs
 * locally on {@code ceil(H/U)} heads (or through {@code inner}, e.g. a ring over more ranks), and a
 * second all-to-all turns the head-split output back into this rank's tokens.
 *
 * <p><b>Even lengths</b> (every rank holds {@code P} tokens, FLUX at 1024x1024 over 2 or 4 GPUs): see
 * {@link #attendEven}. q/k/v are packed token-major, so the received rows are already in sequence
 * order and attention reads them in place; its output is the send buffer of the way back; the heads
 * are exchanged in {@code chunks} pipelined on the communicator's side stream.
 *
 * <p><b>Uneven lengths</b> (padded and compacted):
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
 * is needed. Every rank must be constructed with the same {@code lengths} and {@code chunks}.
 */
public final class UlyssesAttention implements SequenceAttention {
    private final Communicator comm;
    private final int[] lengths;
    private final int[] offsets;
    private final int total;
    private final int padded;
    private final boolean even;
    private final Fp8Communication fp8;
    private final SequenceAttention inner;
    private final int chunks;
    private final PeerWindows windows;
    private final boolean windowAllowed;
    private final ReplicaSplit replicas;
    private final boolean directBack;
    private boolean windowOpened;
    private PeerWindow window;

    /** Local attention on the head-split tensors, default options, no peer windows. */
    public UlyssesAttention(Communicator comm, int[] lengths, Fp8Communication fp8) {
        this(comm, lengths, fp8, LocalAttention.INSTANCE, SequenceOptions.DEFAULTS, PeerWindows.NONE);
    }

    /**
     * @param lengths tokens held by each rank of {@code comm}, indexed by group rank
     * @param inner   attention over the gathered sequence {@code [hu, S, Dh]} (local, or a ring)
     * @param options {@link SequenceOptions#ulyssesChunks()}: head chunks the exchange is pipelined over when
     *                every rank holds the same number of tokens (at most {@code hu}; 1 = no pipelining); the
     *                peer window, replica split and direct-back switches
     * @param windows opens the peer window of the even path on the first call that can use one
     *                ({@link PeerWindows#NONE}: always the communicator's all-to-all)
     */
    public UlyssesAttention(Communicator comm, int[] lengths, Fp8Communication fp8, SequenceAttention inner,
                            SequenceOptions options, PeerWindows windows) {
        this.windows = windows;
        this.windowAllowed = options.peerWindow();
        this.chunks = options.ulyssesChunks();
        int max = LocalShapes.requireLengths("ulysses", lengths, comm.size());
        this.comm = comm;
        this.lengths = lengths.clone();
        this.offsets = new int[lengths.length];
        int at = 0;
        for (int i = 0; i < lengths.length; i++) {
            offsets[i] = at;
            at += lengths[i];
        }
        this.total = at;
        this.padded = max;
        this.even = even(lengths, 0, lengths.length);
        this.fp8 = fp8;
        this.inner = inner;
        this.replicas = options.replicaSplit() ? ReplicaSplit.over(comm) : ReplicaSplit.ALONE;
        this.directBack = options.directBack();
    }

    @Override
    public void attend(Ops ops, Tensor out, Tensor q, Tensor k, Tensor v, float scale) {
        int u = comm.size();
        int me = comm.rank();
        if (window != null && q.rank() == 4) {
            // q, k, v from qkvTargets: already in the peers' parts, nothing to pack
            QkvTargets t = windowTargets(ops, window, q.dtype(), q.dim(1), q.dim(3));
            if (q.equals(t.q()) && k.equals(t.k()) && v.equals(t.v())) {
                out.requireShape("ulysses out", padded, q.dim(1) * u * q.dim(3));
                attendWindow(ops, out, null, null, null, scale, q.dim(1), window, q.dtype());
                return;
            }
        }
        long h = q.dim(0);
        long s = q.dim(1);
        long dh = q.dim(2);
        LocalShapes.require("ulysses", me, lengths, out, q, k, v);
        if (u == 1) {
            inner.attend(ops, out, q, k, v, scale);
            return;
        }
        long hu = (h + u - 1) / u;
        PeerWindow w = windowFor(h, s, dh, q.dtype());
        if (w != null) {
            attendWindow(ops, out, q, k, v, scale, hu, w, q.dtype());
            return;
        }
        if (even) {
            attendEven(ops, out, q, k, v, scale, hu);
            return;
        }
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

    /**
     * Every rank holds {@code P} tokens: rank i's rows land at {@code [i*P, (i+1)*P)} of the receive
     * buffer with no gaps, so attention reads q/k/v there as strided views and its output is already the
     * send buffer of the way back. Heads are split into chunks whose exchanges run on the
     * communicator's side stream: chunk c+1 moves while chunk c's attention runs, and chunk c's output
     * moves back while chunk c+1's runs.
     *
     * <pre>
     *   send[c]   [U, P, 3, hc, Dh]   chunk j = my rows x (q, k, v) x heads j*hu + first .. + hc (zeros past H)
     *   recv[c]   [U*P, 3, hc, Dh]    q/k/v of my hc heads over the whole sequence: row stride 3*hc*Dh
     *   outC[c]   [U*P, hc*Dh]        attention output = send buffer back: chunk i = rank i's rows
     *   back[c]   [U, P, hc*Dh]       chunk j = my rows of heads j*hu + first .. -> out columns of those heads
     * </pre>
     */
    private void attendEven(Ops ops, Tensor out, Tensor q, Tensor k, Tensor v, float scale, long hu) {
        int u = comm.size();
        long h = q.dim(0);
        long s = q.dim(1);
        long dh = q.dim(2);
        long p = padded;
        int g = (int) Math.min(fp8 == Fp8Communication.ON ? 1 : chunks, hu);
        HeadChunk[] chunk = new HeadChunk[g];
        for (int c = 0; c < g; c++) {
            chunk[c] = HeadChunk.of(h, hu, hu * c / g, hu * (c + 1) / g, u);
        }
        DType dt = q.dtype();
        Arena a = ops.scratch();
        long mark = a.mark();
        try {
            Tensor[] send = new Tensor[g];
            Tensor[] recv = new Tensor[g];
            Tensor[] outC = new Tensor[g];
            Tensor[] back = new Tensor[g];
            Communicator.Transfer[] in = new Communicator.Transfer[g];
            Tensor[] qkvIn = {q, k, v};
            for (int c = 0; c < g; c++) {
                HeadChunk ch = chunk[c];
                long hc = ch.heads();
                send[c] = a.allocate(dt, u, p, 3, hc, dh);
                recv[c] = a.allocate(dt, u * p, 3, hc, dh);
                outC[c] = a.allocate(out.dtype(), u * p, hc * dh);
                back[c] = a.allocate(out.dtype(), u, p, hc * dh);
                if (ch.fullRanks() < u) {
                    ops.fill(send[c], 0f); // padded heads attend to zeros: finite, and dropped on the way back
                }
                for (int t = 0; t < 3; t++) {
                    Tensor src = qkvIn[t];
                    long hs = src.stride(0);
                    long rs = src.stride(1);
                    if (ch.fullRanks() > 0) {
                        ops.copy(at(send[c], t * hc * dh, new long[] {ch.fullRanks(), s, hc, dh},
                                        new long[] {p * 3 * hc * dh, 3 * hc * dh, dh, 1}),
                                at(src, ch.first() * hs, new long[] {ch.fullRanks(), s, hc, dh},
                                        new long[] {hu * hs, rs, hs, 1}));
                    }
                    if (ch.partial() > 0) {
                        ops.copy(at(send[c], ch.fullRanks() * p * 3 * hc * dh + t * hc * dh,
                                        new long[] {s, ch.partial(), dh}, new long[] {3 * hc * dh, dh, 1}),
                                at(src, (ch.fullRanks() * hu + ch.first()) * hs, new long[] {s, ch.partial(), dh},
                                        new long[] {rs, hs, 1}));
                    }
                }
                in[c] = exchange(ops, send[c], recv[c], dh);
            }
            Communicator.Transfer[] outT = new Communicator.Transfer[g];
            for (int c = 0; c < g; c++) {
                long hc = chunk[c].heads();
                in[c].await();
                long[] shape = {hc, total, dh};
                long[] strides = {dh, 3 * hc * dh, 1};
                inner.attend(ops, outC[c], at(recv[c], 0, shape, strides), at(recv[c], hc * dh, shape, strides),
                        at(recv[c], 2 * hc * dh, shape, strides), scale);
                outT[c] = exchange(ops, outC[c], back[c], dh);
            }
            for (int c = 0; c < g; c++) {
                HeadChunk ch = chunk[c];
                long hc = ch.heads();
                outT[c].await();
                if (s == 0) {
                    continue;
                }
                if (ch.fullRanks() > 0) {
                    ops.copy(at(out, ch.first() * dh, new long[] {ch.fullRanks(), s, hc * dh},
                                    new long[] {hu * dh, out.stride(0), 1}),
                            at(back[c], 0, new long[] {ch.fullRanks(), s, hc * dh}, new long[] {p * hc * dh, hc * dh, 1}));
                }
                if (ch.partial() > 0) {
                    ops.copy(out.narrow(1, (ch.fullRanks() * hu + ch.first()) * dh, ch.partial() * dh),
                            at(back[c], ch.fullRanks() * p * hc * dh, new long[] {s, ch.partial() * dh},
                                    new long[] {hc * dh, 1}));
                }
            }
        } finally {
            a.reset(mark);
        }
    }

    /**
     * Every rank holds {@code P} tokens and {@code H = U * hu}: rank j stores its q/k/v rows of rank i's
     * heads straight into rank i's part of the window, and its attention output for rank i's tokens
     * into rank i's part again; a barrier after each makes the stores visible. No pack buffer, no
     * collective call, no copy of this rank's own chunk through a communicator.
     *
     * <pre>
     *   part of rank i:
     *     qkv   [U*P, 3, hu, Dh]   rows [j*P, (j+1)*P) stored by rank j: q, k, v of i's heads, j's tokens
     *     back  [U, P, hu*Dh]      chunk j stored by rank j: output of j's heads for i's tokens
     *   outC    [U*P, hu*Dh]       (scratch, ring inner only) attention over the whole sequence, my heads;
     *                              local attention stores its row parts straight into every rank's back
     * </pre>
     *
     * Reuse is safe across calls: a rank stores into a peer's qkv only after the barrier that followed
     * the peer's attention (the second barrier of the previous call), and into a peer's back only after
     * the first barrier of this call, which the peer reaches after reading back in the previous call.
     */
    private void attendWindow(Ops ops, Tensor out, Tensor q, Tensor k, Tensor v, float scale, long hu, PeerWindow w,
                              DType dt) {
        int u = comm.size();
        int me = comm.rank();
        long p = padded;
        long dh = out.dim(1) / (hu * u);
        DType odt = out.dtype();
        if (w.bytes() < windowBytes(u, hu, dh, dt) || odt.bytes() > WIDEST_OUT) {
            throw new IllegalStateException("ulysses: peer window of " + w.bytes() + " bytes per rank is too small for "
                    + hu + " heads of " + dh + " over " + u + " x " + p + " tokens with output " + odt);
        }
        long row = 3 * hu * dh;
        if (q != null) {
            QkvTargets to = windowTargets(ops, w, dt, hu, dh);
            Tensor[] from = {q, k, v};
            Tensor[] into = {to.q(), to.k(), to.v()};
            for (int t = 0; t < 3; t++) {
                long hs = from[t].stride(0);
                ops.copy(into[t], at(from[t], 0, new long[] {u, hu, p, dh}, new long[] {hu * hs, hs, from[t].stride(1), 1}));
            }
        }
        w.barrier();
        long back = backOffset(u, hu, dh, dt);
        Arena a = ops.scratch();
        long mark = a.mark();
        try {
            boolean direct = directBack && inner == LocalAttention.INSTANCE;
            Tensor outC = direct ? null : a.allocate(odt, u * p, hu * dh);
            long[] shape = {hu, u * p, dh};
            long[] strides = {dh, row, 1};
            Tensor[] local = new Tensor[3];
            for (int t = 0; t < 3; t++) {
                local[t] = new Tensor(w.local() + t * hu * dh * dt.bytes(), out.device(), dt, shape, strides);
            }
            // chunk me of every rank's back, rank i's part holding the rows of i's tokens
            Tensor backs = new Tensor(w.base() + back + me * p * hu * dh * odt.bytes(), out.device(), odt,
                    new long[] {u, p, hu * dh}, new long[] {w.stride() / odt.bytes(), hu * dh, 1});
            if (direct) {
                // attention stores each part of its output straight into its owner (Ops.attention's parts)
                inner.attend(ops, backs, local[0], local[1], local[2], scale);
            } else {
                inner.attend(ops, outC, local[0], local[1], local[2], scale);
                ops.copy(backs, outC.view(u, p, hu * dh));
            }
        } finally {
            a.reset(mark);
        }
        w.barrier();
        ops.copy(at(out, 0, new long[] {u, p, hu * dh}, new long[] {hu * dh, out.stride(0), 1}),
                new Tensor(w.local() + back, out.device(), odt, new long[] {u, p, hu * dh},
                        new long[] {p * hu * dh, hu * dh, 1}));
    }

    /** Byte offset of {@code back} in a part: after {@code qkv}, 256-byte aligned. */
    private long backOffset(int u, long hu, long dh, DType dt) {
        return Arena.alignUp(u * padded * 3 * hu * dh * dt.bytes());
    }

    /** Bytes per part: qkv, then back sized for the widest output dtype, so one window serves any. */
    private long windowBytes(int u, long hu, long dh, DType dt) {
        return backOffset(u, hu, dh, dt) + u * padded * hu * dh * WIDEST_OUT;
    }

    /** Output element size the window's back region is sized for (fp32). */
    private static final int WIDEST_OUT = 4;

    /**
     * The peer window for a call of {@code h} heads of {@code dh} over {@code s} local tokens, opening it
     * on first use; null when such a call cannot exchange through one (uneven lengths, heads that do not
     * divide, FP8, several chunks) or none could be opened.
     */
    private PeerWindow windowFor(long h, long s, long dh, DType dt) {
        int u = comm.size();
        long hu = h / u;
        boolean fits = u > 1 && even && s == padded && s > 0 && h == hu * u && fp8 == Fp8Communication.OFF
                && Math.min(chunks, hu) == 1;
        return fits ? window(windowBytes(u, hu, dh, dt)) : null;
    }

    /**
     * In a window: q, k and v fill {@code [U, hu, P, Dh]} views straight into every rank's part (group j =
     * heads of rank j, at this rank's rows), the layout {@link #attendWindow} packs into.
     */
    @Override
    public QkvTargets qkvTargets(Ops ops, DType dtype, long heads, long tokens, long headDim) {
        PeerWindow w = windowFor(heads, tokens, headDim, dtype);
        return w != null ? windowTargets(ops, w, dtype, heads / comm.size(), headDim)
                : SequenceAttention.super.qkvTargets(ops, dtype, heads, tokens, headDim);
    }

    private QkvTargets windowTargets(Ops ops, PeerWindow w, DType dt, long hu, long dh) {
        int u = comm.size();
        long p = padded;
        long row = 3 * hu * dh;
        long[] shape = {u, hu, p, dh};
        long[] strides = {w.stride() / dt.bytes(), dh, row, 1};
        Tensor[] t = new Tensor[3];
        for (int i = 0; i < 3; i++) {
            t[i] = new Tensor(w.base() + (comm.rank() * p * row + i * hu * dh) * dt.bytes(), ops.device(), dt, shape,
                    strides);
        }
        return new QkvTargets(t[0], t[1], t[2]);
    }

    /**
     * The window for {@code bytes} per rank: opened on the first call that asks (every rank asks at the
     * same call, as they run the same steps); null where none could be opened or it is too small.
     */
    private PeerWindow window(long bytes) {
        if (!windowAllowed) {
            return null;
        }
        if (!windowOpened) {
            windowOpened = true;
            window = windows.open(comm, bytes).orElse(null);
        }
        return window != null && window.bytes() >= bytes && window.stride() % 8 == 0 ? window : null;
    }

    /**
     * The all-to-all of one chunk: started on the communicator's side stream, or, with FP8, quantized,
     * exchanged and dequantized before returning.
     */
    private Communicator.Transfer exchange(Ops ops, Tensor send, Tensor recv, long dh) {
        if (fp8 == Fp8Communication.ON) {
            fp8.allToAll(ops, comm, send, recv, (int) dh);
            return Communicator.Transfer.DONE;
        }
        return comm.startAllToAll(send, recv);
    }

    /**
     * Head slots {@code [first, first + heads)} of every rank's {@code hu}: rank j's real heads are
     * {@code j*hu + first ..}. The first {@code fullRanks} ranks have all {@code heads} of them below
     * {@code H}; the next has {@code partial} (0 when none); the rest only padding.
     */
    private record HeadChunk(long first, long heads, long fullRanks, long partial) {
        static HeadChunk of(long h, long hu, long first, long end, int u) {
            long hc = end - first;
            long full = 0;
            while (full < u && full * hu + first + hc <= h) {
                full++;
            }
            long partial = full < u ? Math.max(0, Math.min(hc, h - (full * hu + first))) : 0;
            return new HeadChunk(first, hc, full, partial);
        }
    }

    /** Whether {@code lengths[from, to)} are equal and non-zero: the token-major path of {@link #attendEven}. */
    static boolean even(int[] lengths, int from, int to) {
        for (int i = from; i < to; i++) {
            if (lengths[i] != lengths[from] || lengths[i] == 0) {
                return false;
            }
        }
        return true;
    }

    /** A strided view into {@code base} starting {@code offset} elements in. */
    static Tensor at(Tensor base, long offset, long[] shape, long[] strides) {
        return new Tensor(base.address() + offset * base.dtype().bytes(), base.device(), base.dtype(), shape, strides);
    }

    /** {@code t[i]} of a contiguous {@code [3, hu, S, Dh]} as {@code [hu, S, Dh]}. */
    static Tensor slice(Tensor t, int i) {
        return t.narrow(0, i, 1).view(t.dim(1), t.dim(2), t.dim(3));
    }

    /**
     * The Ulysses group, unless {@link SequenceOptions#replicaSplit()} is off; the split itself is
     * built once, here, so every block of a step sees the same object.
     */
    @Override
    public ReplicaSplit replicas() {
        return replicas;
    }

    public int[] lengths() {
        return lengths.clone();
    }

    @Override
    public String toString() {
        return "UlyssesAttention[" + comm + ", lengths " + Arrays.toString(lengths) + ", fp8 " + fp8 + ", chunks "
                + chunks + ", peer window " + (window != null ? "open" : windowAllowed ? "none" : "off") + ", inner "
                + inner + "]";
    }
}
