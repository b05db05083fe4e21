package dev.sparkdit.usp.comm;

/**
 * Memory that every rank of a group can store into directly: rank {@code j}'s part, {@link #bytes()}
 * long, starts at {@code base() + j * stride()} in this rank's address space, so a copy whose
 * destination is such a view moves the bytes to the peer by itself, with no collective call and no
 * staging buffer (on GPUs: stores over NVLink from the copy kernel).
 *
 * <p>Ordering: stores into a peer's part are only known to have landed after {@link #barrier()}.
 * A rank may read its own part ({@link #local()}) after a barrier that followed the peers' stores, and
 * a rank may store into a peer's part again only after a barrier that followed the peer's last read.
 * Every rank makes the same barrier calls in the same order.
 */
public interface PeerWindow extends AutoCloseable {

    /** This rank's index in the window's group. */
    int rank();

    int size();

    /** Usable bytes of each rank's part. */
    long bytes();

    /** Address of rank 0's part, in this rank's address space. */
    long base();

    /** Bytes from one rank's part to the next. */
    long stride();

    /** Address of this rank's own part. */
    default long local() {
        return base() + rank() * stride();
    }

    /**
     * Enqueues a barrier of the whole group on the compute stream: the work enqueued after it, on any
     * rank, runs only once every rank's work enqueued before its barrier (stores into peers included)
     * has completed and is visible. The host does not wait.
     */
    void barrier();

    /** Releases peers and this rank from barriers they wait in; later barriers fail. Idempotent. */
    void abort();

    /** Unmaps the window; after an abort it only frees what is left. */
    @Override
    void close();
}
