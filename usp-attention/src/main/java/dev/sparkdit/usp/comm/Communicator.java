package dev.sparkdit.usp.comm;

import dev.sparkdit.tensor.Tensor;

/**
 * Collectives among the {@link #size()} ranks of one group (a Ulysses group, a ring, a whole world).
 * NCCL on GPUs, Gloo on the CPU. Tensors are contiguous and live on the communicator's device; data
 * moves as raw bytes, so any dtype (fp8 included) travels unchanged.
 *
 * <p>Ordering: calls are enqueued in program order on the communicator's stream. The NCCL
 * implementation takes the backend's CUDA stream at construction, so a collective runs after the ops
 * enqueued before it and before those enqueued after it; the host does not wait. Gloo completes each
 * call before returning. Every rank of the group must make the same calls in the same order.
 *
 * <p>Failure: any error throws {@link CommunicationException}. A rank that fails calls
 * {@link #abort()} so that peers blocked in a collective fail within their timeout instead of hanging.
 */
public interface Communicator extends AutoCloseable {

    /** This rank's index in the group, {@code [0, size)}. */
    int rank();

    int size();

    /**
     * Equal chunks along dim 0: {@code send} and {@code recv} have the same shape, dim 0 divisible by
     * {@link #size()}; chunk {@code i} of {@code send} goes to rank {@code i}, and chunk {@code j} of
     * {@code recv} comes from rank {@code j}.
     */
    void allToAll(Tensor send, Tensor recv);

    /**
     * Starts {@link #allToAll} and returns before it completes, so that compute can proceed meanwhile
     * (Ulysses' pipelined head chunks). Same buffer rules as {@link #startSendRecv}. On GPUs the
     * transfer runs on the side stream after the work enqueued so far; transfers started one after
     * another complete in that order. The default completes the exchange before returning.
     */
    default Transfer startAllToAll(Tensor send, Tensor recv) {
        allToAll(send, recv);
        return Transfer.DONE;
    }

    /**
     * Sends {@code send} to {@code toPeer} and receives {@code recv} from {@code fromPeer} at once, so
     * that a ring shift cannot deadlock. Either side may be this rank's own index (a local copy).
     */
    default void sendRecv(Tensor send, int toPeer, Tensor recv, int fromPeer) {
        startSendRecv(send, toPeer, recv, fromPeer).await();
    }

    /**
     * Starts {@link #sendRecv} and returns before it completes, so that compute can proceed while the
     * bytes move (Ring attention's next block). {@code send} must not be written and {@code recv} must
     * not be touched until {@link Transfer#await()}. On GPUs the transfer runs on a side stream after
     * the work enqueued so far; awaiting makes the compute stream wait for it without blocking the host.
     */
    Transfer startSendRecv(Tensor send, int toPeer, Tensor recv, int fromPeer);

    /** {@code recv [size * n...]} receives every rank's {@code send [n...]}, in rank order. */
    void allGather(Tensor send, Tensor recv);

    /** {@code buf} on every rank becomes {@code buf} of {@code root}. */
    void broadcast(Tensor buf, int root);

    /** Returns once every rank of the group has called it (and, on GPUs, enqueued work is done). */
    void barrier();

    /**
     * Tears the group down after a failure: pending and later calls on this rank fail, and peers
     * waiting on this rank fail fast (Gloo: within the poll interval; NCCL: ncclCommAbort). Idempotent;
     * safe from any thread.
     */
    void abort();

    /**
     * {@link #abort()}, saying why: where the library can tell its peers (Gloo, through its store), their
     * errors quote {@code reason} ("rank 1 of 2 failed: ..."), so whoever reads a peer's failure learns
     * which rank failed first. NCCL peers learn nothing from an abort; the reason is this rank's alone.
     */
    default void abort(String reason) {
        abort();
    }

    boolean isAborted();

    /** Releases the communicator; after an abort it only frees what is left. */
    @Override
    void close();

    /** A transfer in flight. */
    interface Transfer {
        Transfer DONE = () -> { };

        /** Blocks (CPU) or orders the compute stream after the transfer (GPU); throws on failure. */
        void await();
    }

    /** The shape contract of {@link #allToAll}, checked the same way by every implementation. */
    static void requireAllToAllShapes(String library, Tensor send, Tensor recv, int size) {
        if (send.bytes() != recv.bytes() || send.rank() == 0 || send.dim(0) % size != 0) {
            throw new IllegalArgumentException(library + " allToAll: send " + send + " and recv " + recv
                    + " must have equal sizes and dim 0 divisible by group size " + size);
        }
    }
}
