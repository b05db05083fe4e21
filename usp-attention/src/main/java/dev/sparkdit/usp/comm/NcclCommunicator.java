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
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
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
 * {@code ncclUint8}. NOT RUN YET: there is no GPU where this was written; it compiles and follows
 * NCCL's documented contracts.
 *
 * <pre>
 *   allToAll     ncclGroupStart; for each peer p: ncclSend(send + p*chunk), ncclRecv(recv + p*chunk); ncclGroupEnd
 *   sendRecv     ncclGroupStart; ncclSend(to); ncclRecv(from); ncclGroupEnd   (grouped: no deadlock in a ring)
 *   startSendRecv  on a side stream: record `ready` on compute, side waits `ready`, grouped send/recv on side,
 *                  record `done` on side; await() = compute waits `done` (host does not block)
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

    private final int rank;
    private final int size;
    private final int device;
    private final Duration timeout;
    private final CUstream_st stream;
    private final CUstream_st sideStream = new CUstream_st();
    private final CUevent_st ready = new CUevent_st();
    private final CUevent_st done = new CUevent_st();
    private final Pointer barrierBuf = new Pointer();
    private final ncclComm comm = new ncclComm();
    private final AtomicBoolean aborted = new AtomicBoolean();
    private boolean transferInFlight;
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
        checkCuda(cudaStreamCreateWithFlags(sideStream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags", "");
        checkCuda(cudaEventCreateWithFlags(ready, cudaEventDisableTiming), "cudaEventCreateWithFlags", "ready");
        checkCuda(cudaEventCreateWithFlags(done, cudaEventDisableTiming), "cudaEventCreateWithFlags", "done");
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
        long chunk = send.bytes() / size;
        check(ncclGroupStart(), "ncclGroupStart", "allToAll");
        int st = ncclSuccess;
        String failed = "";
        for (int p = 0; p < size && st == ncclSuccess; p++) {
            st = ncclSend(at(send.address() + p * chunk), chunk, ncclUint8, p, comm, stream);
            failed = "ncclSend(peer=" + p + ", bytes=" + chunk + ")";
            if (st == ncclSuccess) {
                st = ncclRecv(at(recv.address() + p * chunk), chunk, ncclUint8, p, comm, stream);
                failed = "ncclRecv(peer=" + p + ", bytes=" + chunk + ")";
            }
        }
        int end = ncclGroupEnd(); // always close the group, even after a failed enqueue
        check(st, failed, "allToAll");
        check(end, "ncclGroupEnd", "allToAll of " + send.bytes() + " bytes");
    }

    @Override
    public Transfer startSendRecv(Tensor send, int toPeer, Tensor recv, int fromPeer) {
        requireUsable("sendRecv", send, recv);
        checkPeer(toPeer);
        checkPeer(fromPeer);
        if (transferInFlight) {
            throw new IllegalStateException("nccl: startSendRecv while the previous transfer was not awaited");
        }
        checkCuda(cudaEventRecord(ready, stream), "cudaEventRecord", "ready on compute stream");
        checkCuda(cudaStreamWaitEvent(sideStream, ready, 0), "cudaStreamWaitEvent", "side waits ready");
        check(ncclGroupStart(), "ncclGroupStart", "sendRecv");
        int s = ncclSend(at(send.address()), send.bytes(), ncclUint8, toPeer, comm, sideStream);
        int r = s == ncclSuccess ? ncclRecv(at(recv.address()), recv.bytes(), ncclUint8, fromPeer, comm, sideStream)
                : ncclSuccess;
        int end = ncclGroupEnd();
        check(s, "ncclSend", "peer=" + toPeer + " bytes=" + send.bytes());
        check(r, "ncclRecv", "peer=" + fromPeer + " bytes=" + recv.bytes());
        check(end, "ncclGroupEnd", "sendRecv to " + toPeer + " from " + fromPeer);
        checkCuda(cudaEventRecord(done, sideStream), "cudaEventRecord", "done on side stream");
        transferInFlight = true;
        return () -> {
            checkCuda(cudaStreamWaitEvent(stream, done, 0), "cudaStreamWaitEvent", "compute waits done");
            transferInFlight = false;
        };
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
                throw new CommunicationException("nccl: " + call + " on " + this + " aborted");
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

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!aborted.get()) {
            check(ncclCommDestroy(comm), "ncclCommDestroy", "rank=" + rank);
        }
        cudaEventDestroy(ready);
        cudaEventDestroy(done);
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
            throw new CommunicationException("nccl: " + call + " on aborted " + this);
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
