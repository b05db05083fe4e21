package dev.sparkdit.usp.comm;

import dev.sparkdit.tensor.AddressPointer;
import dev.sparkdit.tensor.Device;
import dev.sparkdit.tensor.Tensor;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.ByteVector;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.StringVector;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;
import org.bytedeco.pytorch.global.torch;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * CPU collectives through libtorch's {@code ProcessGroupGloo} over a c10d {@code TCPStore}. The group's
 * leader serves the store on an ephemeral port of {@code host} and hands {@code "host:port"} out through
 * the {@link Rendezvous}. Tensors are host memory, wrapped without copying ({@code torch.from_blob})
 * as byte tensors.
 *
 * <p>Every wait polls (a daemon thread does libtorch's blocking wait): the Work's completion, this rank's abort flag, and (every
 * {@link #STORE_POLL_MS} ms) an abort key in the store that {@link #abort()} sets, so a peer that
 * aborts makes the others fail within milliseconds; Gloo's own {@code timeout} bounds the rest. Work
 * abandoned that way may still touch its buffers until Gloo's timeout expires: keep them alive.
 */
public final class GlooCommunicator implements Communicator {
    static final long STORE_POLL_MS = 20;
    /** Characters of an abort reason that travel to the peers. */
    static final int MAX_REASON = 300;
    private static final String ABORT_KEY = "sparkdit/abort";
    private static final int TAG = 0;
    /**
     * Closed communicators, kept reachable on purpose. Deleting a ProcessGroupGloo through JavaCPP
     * ({@code pg.close()}, or the GC's deallocator) corrupted the heap in about one test run in three
     * ("corrupted double-linked list" later, elsewhere); never deleting it made 8 of 8 runs clean. So
     * close() shuts the group down and retains it: a leak of a few threads and sockets per communicator,
     * which the job creates once per run. Revisit with a libtorch-owned handle (intrusive_ptr) release.
     */
    private static final java.util.List<GlooCommunicator> ABANDONED =
            java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    private final int rank;
    private final int size;
    private final String group;
    private final Duration timeout;
    private final TCPStore store;
    private final ProcessGroupGloo pg;
    private final StringVector abortKeys = new StringVector(ABORT_KEY);
    private final TensorOptions bytes = new TensorOptions(torch.ScalarType.Byte);
    private volatile boolean aborted;
    private volatile String abortReason = "";
    private boolean closed;
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    /**
     * Work started and not seen to complete: a send whose Transfer was dropped unawaited, or work abandoned on an
     * abort. Kept reachable (and, once closed, through {@link #ABANDONED}) so that the garbage collector never
     * deletes a Work that Gloo's threads may still use; see {@link #ABANDONED} for what deleting Gloo objects did.
     */
    private final java.util.Set<Work> unfinished =
            java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
    private final java.util.concurrent.ExecutorService waiter = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread th = new Thread(r, "gloo-wait");
        th.setDaemon(true);
        return th;
    });

    private GlooCommunicator(String group, int rank, int size, Duration timeout, TCPStore store) {
        this.group = group;
        this.rank = rank;
        this.size = size;
        this.timeout = timeout;
        this.store = store;
        String host = new String(store.getHost().getStringBytes(), StandardCharsets.UTF_8);
        try {
            ProcessGroupGloo.Options opts = ProcessGroupGloo.Options.create(millis(timeout));
            opts.devices(new GlooDeviceVector(ProcessGroupGloo.createDeviceForHostname(host)));
            this.pg = new ProcessGroupGloo(store, rank, size, opts);
        } catch (RuntimeException e) {
            throw new CommunicationException("gloo: ProcessGroupGloo(rank " + rank + ", size " + size + ", group '"
                    + group + "', store " + host + ":" + Short.toUnsignedInt(store.getPort()) + ") failed: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Forms the group: member 0 serves a TCPStore on {@code host} (an ephemeral port), every member
     * connects and builds the process group. All members must call this concurrently.
     */
    public static GlooCommunicator create(Rendezvous rendezvous, String group, int rank, int size, String host,
                                          Duration timeout) {
        if (size < 1 || rank < 0 || rank >= size) {
            throw new IllegalArgumentException("gloo group '" + group + "': rank " + rank + " outside size " + size);
        }
        TCPStore[] served = new TCPStore[1];
        byte[] id = rendezvous.exchange("gloo/" + group, rank, size, () -> {
            served[0] = newStore(host, 0, true, timeout);
            int port = Short.toUnsignedInt(served[0].getPort());
            return (host + ":" + port).getBytes(StandardCharsets.UTF_8);
        });
        TCPStore store = served[0];
        if (store == null) {
            String address = new String(id, StandardCharsets.UTF_8);
            int colon = address.lastIndexOf(':');
            store = newStore(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)), false,
                    timeout);
        }
        return new GlooCommunicator(group, rank, size, timeout, store);
    }

    /** Loopback: {@code create(rendezvous, group, rank, size, "127.0.0.1", timeout)}. */
    public static GlooCommunicator create(Rendezvous rendezvous, String group, int rank, int size, Duration timeout) {
        return create(rendezvous, group, rank, size, "127.0.0.1", timeout);
    }

    private static TCPStore newStore(String host, int port, boolean server, Duration timeout) {
        try {
            TCPStoreOptions o = new TCPStoreOptions();
            o.port((short) port);
            o.isServer(server);
            o.waitWorkers(false);
            o.useLibUV(false);
            o.timeout(millis(timeout));
            return new TCPStore(host, o);
        } catch (RuntimeException e) {
            throw new CommunicationException("gloo: TCPStore(" + host + ":" + port + (server ? ", server" : ", client")
                    + ", timeout " + timeout.toSeconds() + " s) failed: " + e.getMessage(), e);
        }
    }

    private static Milliseconds millis(Duration d) {
        return new Milliseconds(d.toMillis());
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void allToAll(Tensor send, Tensor recv) {
        requireUsable("allToAll", send, recv);
        Communicator.requireAllToAllShapes("gloo", send, recv, size);
        if (size == 1) {
            copyBytes(recv, send);
            return;
        }
        await(pg.alltoall_base(wrap(recv), wrap(send), new LongVector(), new LongVector()), "alltoall_base", send);
    }

    @Override
    public Transfer startSendRecv(Tensor send, int toPeer, Tensor recv, int fromPeer) {
        requireUsable("sendRecv", send, recv);
        checkPeer("sendRecv", toPeer);
        checkPeer("sendRecv", fromPeer);
        if ((toPeer == rank) != (fromPeer == rank)) {
            throw new IllegalArgumentException("gloo sendRecv: rank " + rank + " sends to " + toPeer
                    + " but receives from " + fromPeer + ": a self transfer must be self on both sides");
        }
        if (toPeer == rank) {
            copyBytes(recv, send);
            return Transfer.DONE;
        }
        Work sw = started(pg.send(new TensorVector(wrap(send)), toPeer, TAG));
        Work rw = started(pg.recv(new TensorVector(wrap(recv)), fromPeer, TAG));
        return () -> {
            await(rw, "recv from " + fromPeer, recv);
            await(sw, "send to " + toPeer, send);
        };
    }

    @Override
    public void allGather(Tensor send, Tensor recv) {
        requireUsable("allGather", send, recv);
        if (recv.bytes() != send.bytes() * size) {
            throw new IllegalArgumentException("gloo allGather: recv " + recv + " must hold " + size + " x send " + send);
        }
        if (size == 1) {
            copyBytes(recv, send);
            return;
        }
        await(pg._allgather_base(wrap(recv), wrap(send)), "_allgather_base", send);
    }

    @Override
    public void broadcast(Tensor buf, int root) {
        requireUsable("broadcast", buf, buf);
        checkPeer("broadcast", root);
        if (size == 1) {
            return;
        }
        BroadcastOptions o = new BroadcastOptions();
        o.rootRank(root);
        o.timeout(millis(timeout));
        await(pg.broadcast(new TensorVector(wrap(buf)), o), "broadcast from root " + root, buf);
    }

    @Override
    public void barrier() {
        requireOpen("barrier");
        if (size == 1) {
            return;
        }
        await(pg.barrier(), "barrier", null);
    }

    @Override
    public void abort() {
        abort(null);
    }

    /**
     * Aborts and publishes {@code reason} in the store under the abort key, so that peers that see the key
     * say which rank of the group aborted and why.
     */
    @Override
    public void abort(String reason) {
        if (aborted) {
            return;
        }
        String why = reason == null || reason.isBlank() ? "no reason given" : firstLine(reason);
        if (why.length() > MAX_REASON) {
            why = why.substring(0, MAX_REASON) + "...";
        }
        abortReason = "rank " + rank + " of group '" + group + "' aborted it (" + why + ")";
        aborted = true;
        try {
            store.set(ABORT_KEY, new ByteVector((rank + "\n" + why).getBytes(StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            // the store may be gone with its server; peers then fail on Gloo's timeout
        }
    }

    @Override
    public boolean isAborted() {
        return aborted;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!aborted) {
            try {
                pg.shutdown();
            } catch (RuntimeException ignored) {
                // best effort
            }
        }
        waiter.shutdown();
        if (inFlight.get() > 0) {
            abort(); // abandoned work still runs inside Gloo until its timeout
        }
        // neither pg.close() nor store.close(): see ABANDONED (the store is owned by the process group)
        ABANDONED.add(this);
    }

    @Override
    public String toString() {
        return "GlooCommunicator[group '" + group + "', rank " + rank + " of " + size + "]";
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private void await(Work w, String call, Tensor t) {
        // Gloo's send/recv Work never reports isCompleted() before wait(), and a wait with a short
        // timeout poisons the whole Gloo context; so a daemon thread does the one full wait while this
        // thread polls for completion and for aborts.
        started(w);
        inFlight.incrementAndGet();
        java.util.concurrent.Future<?> done = waiter.submit(() -> {
            try {
                w._wait();
            } finally {
                inFlight.decrementAndGet();
            }
            return null;
        });
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long nextStoreCheck = start + TimeUnit.MILLISECONDS.toNanos(STORE_POLL_MS);
        while (!done.isDone()) {
            if (aborted) {
                throw new CommunicationException("gloo: " + call + " on " + this + " abandoned after "
                        + InProcessRendezvous.seconds(start) + " s: " + abortReason);
            }
            if (Thread.currentThread().isInterrupted()) {
                // A rank that leaves a collective breaks its group: tell the peers (the interrupt stays set).
                abort("its thread was interrupted in " + call);
                continue;
            }
            long now = System.nanoTime();
            if (now >= nextStoreCheck) {
                nextStoreCheck = now + TimeUnit.MILLISECONDS.toNanos(STORE_POLL_MS);
                if (peerAborted()) {
                    abortReason = peerAbortReason();
                    aborted = true;
                    continue;
                }
            }
            if (now > deadline + TimeUnit.SECONDS.toNanos(5)) {
                abort();
                throw new CommunicationException("gloo: " + call + " on " + this + " still pending after "
                        + InProcessRendezvous.seconds(start) + " s (timeout " + timeout.toSeconds() + " s)");
            }
            LockSupport.parkNanos(20_000);
        }
        try {
            done.get();
            unfinished.remove(w);
        } catch (java.util.concurrent.ExecutionException e) {
            abort();
            Throwable c = e.getCause();
            throw new CommunicationException("gloo: " + call + " on " + this + " failed"
                    + (t == null ? "" : " (" + t.bytes() + " bytes)") + ": " + firstLine(c.getMessage()), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            throw new CommunicationException("gloo: " + call + " on " + this + " interrupted", e);
        }
    }

    /** Work started and not seen to complete (tests). */
    int unfinishedWork() {
        return unfinished.size();
    }

    private Work started(Work w) {
        unfinished.add(w);
        return w;
    }

    private boolean peerAborted() {
        try {
            return store.check(abortKeys);
        } catch (RuntimeException e) {
            return true; // the store's server is gone: its owner has failed
        }
    }

    /** What the peer that set the abort key said: "rank R of group 'g' aborted it (reason)". */
    private String peerAbortReason() {
        try {
            String value = new String(store.get(ABORT_KEY).get(), StandardCharsets.UTF_8);
            int nl = value.indexOf('\n');
            if (nl > 0) {
                return "rank " + value.substring(0, nl) + " of group '" + group + "' aborted it ("
                        + value.substring(nl + 1) + ")";
            }
        } catch (RuntimeException e) {
            // the store's server is gone with its owner, member 0 of the group
            return "the group's store (served by its rank 0) is gone: rank 0 of group '" + group + "' failed";
        }
        return "a peer aborted the group";
    }

    private void requireOpen(String call) {
        if (closed) {
            throw new IllegalStateException("gloo: " + call + " on closed " + this);
        }
        if (aborted) {
            throw new CommunicationException("gloo: " + call + " on aborted " + this + ": " + abortReason);
        }
    }

    private void requireUsable(String call, Tensor a, Tensor b) {
        requireOpen(call);
        for (Tensor t : new Tensor[] {a, b}) {
            if (t.device().kind() != Device.Kind.CPU || !t.isContiguous()) {
                throw new IllegalArgumentException("gloo " + call + ": tensors must be contiguous host memory, got " + t);
            }
        }
    }

    private void checkPeer(String call, int peer) {
        if (peer < 0 || peer >= size) {
            throw new IllegalArgumentException("gloo " + call + ": peer " + peer + " outside group of size " + size);
        }
    }

    private org.bytedeco.pytorch.Tensor wrap(Tensor t) {
        return torch.from_blob(new AddressPointer(t.address(), t.bytes()), new long[] {t.bytes()}, bytes);
    }

    private void copyBytes(Tensor dst, Tensor src) {
        if (dst.bytes() != src.bytes()) {
            throw new IllegalArgumentException("gloo: local copy of " + src + " into " + dst + ": sizes differ");
        }
        wrap(dst).copy_(wrap(src));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
