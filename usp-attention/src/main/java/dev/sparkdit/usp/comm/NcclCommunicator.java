package dev.sparkdit.usp.comm;

import dev.sparkdit.tensor.AddressPointer;
import dev.sparkdit.tensor.Device;
import dev.sparkdit.tensor.Tensor;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.nccl.ncclComm;
import org.bytedeco.cuda.nccl.ncclUniqueId;
import org.bytedeco.javacpp.Pointer;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.bytedeco.cuda.global.cudart.cudaErrorNotReady;
import static org.bytedeco.cuda.global.cudart.cudaEventCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventDisableTiming;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaDeviceGetStreamPriorityRange;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithPriority;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamNonBlocking;
import static org.bytedeco.cuda.global.cudart.cudaStreamQuery;
import static org.bytedeco.cuda.global.cudart.cudaStreamWaitEvent;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;
import static org.bytedeco.cuda.global.nccl.ncclAllGather;
import static org.bytedeco.cuda.global.nccl.ncclBroadcast;
import static org.bytedeco.cuda.global.nccl.ncclCommAbort;
import static org.bytedeco.cuda.global.nccl.ncclCommDestroy;
import static org.bytedeco.cuda.global.nccl.ncclCommGetAsyncError;
import static org.bytedeco.cuda.global.nccl.ncclCommInitRank;
import static org.bytedeco.cuda.global.nccl.ncclGetErrorString;
import static org.bytedeco.cuda.global.nccl.ncclGetLastError;
import static org.bytedeco.cuda.global.nccl.ncclGetUniqueId;
import static org.bytedeco.cuda.global.nccl.ncclGroupEnd;
import static org.bytedeco.cuda.global.nccl.ncclGroupStart;
import static org.bytedeco.cuda.global.nccl.ncclRecv;
import static org.bytedeco.cuda.global.nccl.ncclSend;
import static org.bytedeco.cuda.global.nccl.ncclSuccess;
import static org.bytedeco.cuda.global.nccl.ncclUint8;

/**
 * GPU collectives through NCCL, enqueued on the backend's compute stream given at construction, so
 * they are ordered with the kernels around them and can be captured in a CUDA graph. Data moves as
 * {@code ncclUint8}.
 *
 * <pre>
 *   allToAll     ncclGroupStart; for each peer p: ncclSend(send + p*chunk), ncclRecv(recv + p*chunk); ncclGroupEnd
 *   sendRecv     ncclGroupStart; ncclSend(to); ncclRecv(from); ncclGroupEnd   (grouped: no deadlock in a ring)
 *   startSendRecv, startAllToAll
 *                on the side stream: record `ready` on compute, side waits `ready`, the grouped calls on side,
 *                record `done` on side; await() = compute waits `done` (host does not block). Each transfer
 *                in flight has its own event pair; transfers run one after another on the side stream.
 *                The side stream has the device's greatest priority, so NCCL's blocks are scheduled
 *                ahead of waiting compute blocks (an attention kernel fills every SM) and the overlap
 *                is real.
 *   allGather    ncclAllGather;  broadcast: ncclBroadcast (in place)
 *   barrier      ncclAllGather of one int, then the host polls the stream (cudaStreamQuery) and
 *                ncclCommGetAsyncError until done, an error, or the timeout (then ncclCommAbort)
 * </pre>
 * Every status goes through {@link #check}, which throws naming library, call, status and values.
 * Nothing here enables NVLink multicast (the launcher sets {@code NCCL_NVLS_ENABLE=0}).
 */
public final class NcclCommunicator implements Communicator {
    /** Bytes of an {@code ncclUniqueId}. */
    public static final int UNIQUE_ID_BYTES = 128;
    /** Transfers that may be in flight at once (event pairs made on demand, up to this many). */
    public static final int MAX_IN_FLIGHT = 32;

    private final int rank;
    private final int size;
    private final int device;
    private final Duration timeout;
    private final CUstream_st stream;
    private final CUstream_st sideStream = new CUstream_st();
    /** Event pairs (ready on compute, done on side) of transfers not in flight, reused. */
    private final java.util.ArrayDeque<CUevent_st[]> freeEvents = new java.util.ArrayDeque<>();
    private final java.util.List<CUevent_st[]> allEvents = new java.util.ArrayList<>();
    private final Pointer barrierBuf = new Pointer();
    private final ncclComm comm = new ncclComm();
    private final AtomicBoolean aborted = new AtomicBoolean();
    private volatile String abortReason;
    private boolean closed;

    /** A fresh unique id, made by the group's leader and handed to members by a {@link Rendezvous}. */
    public static byte[] newUniqueId() {
        ncclUniqueId id = new ncclUniqueId();
        int st = ncclGetUniqueId(id);
        if (st != ncclSuccess) {
            throw new CommunicationException("nccl: ncclGetUniqueId failed with status " + st + " ("
                    + ncclGetErrorString(st).getString() + ")");
        }
        byte[] out = new byte[UNIQUE_ID_BYTES];
        id.internal().get(out);
        return out;
    }

    /** Forms the group: all members call this concurrently; member 0 makes the id. */
    public static NcclCommunicator create(Rendezvous rendezvous, String group, int rank, int size, int device,
                                          CUstream_st stream, Duration timeout) {
        byte[] id = rendezvous.exchange("nccl/" + group, rank, size, NcclCommunicator::newUniqueId);
        return new NcclCommunicator(id, rank, size, device, stream, timeout);
    }

    /**
     * @param stream the backend's compute stream (null: the legacy default stream)
     */
    public NcclCommunicator(byte[] uniqueId, int rank, int size, int device, CUstream_st stream, Duration timeout) {
        if (uniqueId.length != UNIQUE_ID_BYTES) {
            throw new IllegalArgumentException("nccl unique id must be " + UNIQUE_ID_BYTES + " bytes, got "
                    + uniqueId.length);
        }
        if (size < 1 || rank < 0 || rank >= size) {
            throw new IllegalArgumentException("nccl: rank " + rank + " outside group of size " + size);
        }
        this.rank = rank;
        this.size = size;
        this.device = device;
        this.stream = stream;
        this.timeout = timeout;
        checkCuda(cudaSetDevice(device), "cudaSetDevice", "device=" + device);
        ncclUniqueId id = new ncclUniqueId();
        id.internal().put(uniqueId);
        // ncclComm_t* output: JavaCPP sets comm's address (by-pointer-pointer)
        check(ncclCommInitRank(comm, size, id, rank), "ncclCommInitRank", "nranks=" + size + " rank=" + rank
                + " device=" + device);
        int[] least = new int[1];
        int[] greatest = new int[1];
        checkCuda(cudaDeviceGetStreamPriorityRange(least, greatest), "cudaDeviceGetStreamPriorityRange", "");
        checkCuda(cudaStreamCreateWithPriority(sideStream, cudaStreamNonBlocking, greatest[0]),
                "cudaStreamCreateWithPriority", "priority=" + greatest[0]);
        checkCuda(cudaMalloc(barrierBuf, 4L * size), "cudaMalloc", "bytes=" + (4L * size));
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
        Communicator.requireAllToAllShapes("nccl", send, recv, size);
        inGroup("allToAll of " + send.bytes() + " bytes", () -> enqueueAllToAll(send, recv, stream));
    }

    @Override
    public Transfer startSendRecv(Tensor send, int toPeer, Tensor recv, int fromPeer) {
        requireUsable("sendRecv", send, recv);
        checkPeer(toPeer);
        checkPeer(fromPeer);
        return onSideStream("sendRecv to " + toPeer + " from " + fromPeer, () -> {
            int s = ncclSend(at(send.address()), send.bytes(), ncclUint8, toPeer, comm, sideStream);
            if (s != ncclSuccess) {
                return new Failed(s, "ncclSend(peer=" + toPeer + ", bytes=" + send.bytes() + ")");
            }
            int r = ncclRecv(at(recv.address()), recv.bytes(), ncclUint8, fromPeer, comm, sideStream);
            return r == ncclSuccess ? null : new Failed(r, "ncclRecv(peer=" + fromPeer + ", bytes=" + recv.bytes() + ")");
        });
    }

    @Override
    public Transfer startAllToAll(Tensor send, Tensor recv) {
        requireUsable("allToAll", send, recv);
        Communicator.requireAllToAllShapes("nccl", send, recv, size);
        return onSideStream("allToAll of " + send.bytes() + " bytes", () -> enqueueAllToAll(send, recv, sideStream));
    }

    /** A failed NCCL enqueue: its status and the call, named with its values. */
    private record Failed(int status, String call) {
    }

    /** Sends chunk p of {@code send} to and receives chunk p of {@code recv} from every peer p, on {@code on}. */
    private Failed enqueueAllToAll(Tensor send, Tensor recv, CUstream_st on) {
        long chunk = send.bytes() / size;
        for (int p = 0; p < size; p++) {
            int st = ncclSend(at(send.address() + p * chunk), chunk, ncclUint8, p, comm, on);
            if (st != ncclSuccess) {
                return new Failed(st, "ncclSend(peer=" + p + ", bytes=" + chunk + ")");
            }
            st = ncclRecv(at(recv.address() + p * chunk), chunk, ncclUint8, p, comm, on);
            if (st != ncclSuccess) {
                return new Failed(st, "ncclRecv(peer=" + p + ", bytes=" + chunk + ")");
            }
        }
        return null;
    }

    /** Runs {@code enqueue} (null = every call enqueued) between ncclGroupStart and ncclGroupEnd. */
    private void inGroup(String what, java.util.function.Supplier<Failed> enqueue) {
        check(ncclGroupStart(), "ncclGroupStart", what);
        Failed failed = enqueue.get();
        int end = ncclGroupEnd(); // always close the group, even after a failed enqueue
        if (failed != null) {
            check(failed.status(), failed.call(), what);
        }
        check(end, "ncclGroupEnd", what);
    }

    /**
     * Runs {@code enqueue} (NCCL calls on the side stream) inside one NCCL group, after the work enqueued
     * so far on the compute stream; the returned transfer makes the compute stream wait for it.
     */
    private Transfer onSideStream(String what, java.util.function.Supplier<Failed> enqueue) {
        CUevent_st[] ev = takeEvents();
        checkCuda(cudaEventRecord(ev[0], stream), "cudaEventRecord", "ready on compute stream, " + what);
        checkCuda(cudaStreamWaitEvent(sideStream, ev[0], 0), "cudaStreamWaitEvent", "side waits ready, " + what);
        inGroup(what, enqueue);
        checkCuda(cudaEventRecord(ev[1], sideStream), "cudaEventRecord", "done on side stream, " + what);
        boolean[] awaited = {false};
        return () -> {
            if (awaited[0]) {
                return;
            }
            checkCuda(cudaStreamWaitEvent(stream, ev[1], 0), "cudaStreamWaitEvent", "compute waits done, " + what);
            awaited[0] = true;
            freeEvents.push(ev);
        };
    }

    private CUevent_st[] takeEvents() {
        CUevent_st[] ev = freeEvents.poll();
        if (ev != null) {
            return ev;
        }
        if (allEvents.size() >= MAX_IN_FLIGHT) {
            throw new IllegalStateException("nccl: " + allEvents.size() + " transfers started and not awaited on " + this
                    + " (at most " + MAX_IN_FLIGHT + ")");
        }
        ev = new CUevent_st[] {new CUevent_st(), new CUevent_st()};
        checkCuda(cudaEventCreateWithFlags(ev[0], cudaEventDisableTiming), "cudaEventCreateWithFlags", "ready");
        checkCuda(cudaEventCreateWithFlags(ev[1], cudaEventDisableTiming), "cudaEventCreateWithFlags", "done");
        allEvents.add(ev);
        return ev;
    }

    @Override
    public void allGather(Tensor send, Tensor recv) {
        requireUsable("allGather", send, recv);
        if (recv.bytes() != send.bytes() * size) {
            throw new IllegalArgumentException("nccl allGather: recv " + recv + " must hold " + size + " x send " + send);
        }
        check(ncclAllGather(at(send.address()), at(recv.address()), send.bytes(), ncclUint8, comm, stream),
                "ncclAllGather", "bytes=" + send.bytes());
    }

    @Override
    public void broadcast(Tensor buf, int root) {
        requireUsable("broadcast", buf, buf);
        checkPeer(root);
        check(ncclBroadcast(at(buf.address()), at(buf.address()), buf.bytes(), ncclUint8, root, comm, stream),
                "ncclBroadcast", "root=" + root + " bytes=" + buf.bytes());
    }

    @Override
    public void barrier() {
        requireOpen("barrier");
        check(ncclAllGather(at(barrierBuf.address() + 4L * rank), barrierBuf, 4, ncclUint8, comm, stream),
                "ncclAllGather", "barrier");
        waitForStream("barrier");
    }

    /** Polls the stream until its work is done; NCCL errors and the timeout abort the communicator. */
    private void waitForStream(String call) {
        long start = System.nanoTime();
        int[] async = new int[1];
        while (true) {
            int q = cudaStreamQuery(stream);
            if (q == cudaSuccess) {
                return;
            }
            if (q != cudaErrorNotReady) {
                abort();
                checkCuda(q, "cudaStreamQuery", call);
            }
            check(ncclCommGetAsyncError(comm, async), "ncclCommGetAsyncError", call);
            if (async[0] != ncclSuccess) {
                abort();
                check(async[0], call + " (async)", "rank=" + rank + " size=" + size);
            }
            if (aborted.get()) {
                throw new CommunicationException("nccl: " + call + " on " + this + " aborted" + reason());
            }
            if (System.nanoTime() - start > timeout.toNanos()) {
                abort();
                throw new CommunicationException("nccl: " + call + " on " + this + " not done after "
                        + timeout.toSeconds() + " s: communicator aborted");
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public void abort() {
        abort(null);
    }

    /** Aborts; {@code reason} goes into this rank's later errors (NCCL tells peers nothing). */
    @Override
    public void abort(String reason) {
        if (reason != null && abortReason == null) {
            abortReason = reason;
        }
        if (aborted.compareAndSet(false, true)) {
            int st = ncclCommAbort(comm); // unblocks peers' and this rank's pending NCCL work
            if (st != ncclSuccess) {
                System.err.println("nccl: ncclCommAbort on " + this + " returned " + st + " ("
                        + ncclGetErrorString(st).getString() + ")");
            }
        }
    }

    @Override
    public boolean isAborted() {
        return aborted.get();
    }

    private String reason() {
        String r = abortReason;
        return r == null ? "" : " (" + r + ")";
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!aborted.get()) {
            check(ncclCommDestroy(comm), "ncclCommDestroy", "rank=" + rank);
        }
        for (CUevent_st[] ev : allEvents) {
            cudaEventDestroy(ev[0]);
            cudaEventDestroy(ev[1]);
        }
        cudaStreamDestroy(sideStream);
        cudaFree(barrierBuf);
    }

    @Override
    public String toString() {
        return "NcclCommunicator[rank " + rank + " of " + size + ", cuda:" + device + "]";
    }

    // ---- checks ---------------------------------------------------------------------------------

    private void check(int status, String call, String values) {
        if (status != ncclSuccess) {
            String last = comm.isNull() ? "" : ncclGetLastError(comm).getString();
            throw new CommunicationException("nccl: " + call + " failed with status " + status + " ("
                    + ncclGetErrorString(status).getString() + ") on " + this + ", " + values
                    + (last.isEmpty() ? "" : "; last error: " + last));
        }
    }

    private void checkCuda(int status, String call, String values) {
        if (status != cudaSuccess) {
            throw new CommunicationException("cuda: " + call + " failed with status " + status + " ("
                    + cudaGetErrorString(status).getString() + ") on " + this + ", " + values);
        }
    }

    private void requireOpen(String call) {
        if (closed) {
            throw new IllegalStateException("nccl: " + call + " on closed " + this);
        }
        if (aborted.get()) {
            throw new CommunicationException("nccl: " + call + " on aborted " + this + reason());
        }
    }

    private void requireUsable(String call, Tensor a, Tensor b) {
        requireOpen(call);
        for (Tensor t : Arrays.asList(a, b)) {
            if (t.device().kind() != Device.Kind.CUDA || t.device().index() != device || !t.isContiguous()) {
                throw new IllegalArgumentException("nccl " + call + ": tensors must be contiguous on cuda:" + device
                        + ", got " + t);
            }
        }
    }

    private void checkPeer(int peer) {
        if (peer < 0 || peer >= size) {
            throw new IllegalArgumentException("nccl: peer " + peer + " outside group of size " + size);
        }
    }

    private static Pointer at(long address) {
        return new AddressPointer(address, 0);
    }

}
