package dev.sparkdit.usp.testing;

import dev.sparkdit.usp.comm.Communicator;
import dev.sparkdit.usp.comm.PeerWindow;
import dev.sparkdit.usp.comm.PeerWindows;
import org.bytedeco.javacpp.Pointer;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Peer windows for ranks that are threads of one test, over host memory: every rank's part lies in one
 * malloc'd block, and {@link PeerWindow#barrier()} is a {@link CyclicBarrier} (CPU ops complete before
 * returning, so waiting on the host is the barrier's full meaning). One instance is shared by the
 * ranks; a group is keyed by the communicator's group name given at construction.
 */
public final class HostPeerWindows implements PeerWindows, AutoCloseable {
    private static final long ALIGN = 4096;
    private final Map<String, Group> groups = new HashMap<>();
    private final AtomicInteger barriers = new AtomicInteger();
    private final java.util.function.Function<Communicator, String> groupOf;

    /** @param groupOf names the group a communicator belongs to (the same for all its ranks) */
    public HostPeerWindows(java.util.function.Function<Communicator, String> groupOf) {
        this.groupOf = groupOf;
    }

    /** Barriers passed by all ranks together, for tests that must know the window was used. */
    public int barriers() {
        return barriers.get();
    }

    @Override
    public Optional<PeerWindow> open(Communicator comm, long bytes) {
        Group g;
        synchronized (groups) {
            g = groups.computeIfAbsent(groupOf.apply(comm), k -> new Group(comm.size(), bytes));
        }
        if (g.barrier.getParties() != comm.size()) {
            throw new IllegalStateException("group " + groupOf.apply(comm) + " was opened by " + g.barrier.getParties()
                    + " ranks, now by a communicator of " + comm.size() + ": key groups by size too");
        }
        if (g.part < bytes) {
            throw new IllegalStateException("ranks opened the window with different sizes: " + g.part + " and " + bytes);
        }
        return Optional.of(new Window(g, comm.rank(), bytes));
    }

    @Override
    public void close() {
        synchronized (groups) {
            for (Group g : groups.values()) {
                Pointer.free(g.block);
            }
            groups.clear();
        }
    }

    private final class Group {
        final Pointer block;
        final long part;
        final long base;
        final CyclicBarrier barrier;

        Group(int size, long bytes) {
            part = (bytes + ALIGN - 1) / ALIGN * ALIGN;
            block = Pointer.malloc(size * part + ALIGN);
            base = (block.address() + ALIGN - 1) / ALIGN * ALIGN;
            barrier = new CyclicBarrier(size, barriers::incrementAndGet);
        }
    }

    private record Window(Group g, int rank, long bytes) implements PeerWindow {
        public int size() {
            return g.barrier.getParties();
        }

        public long base() {
            return g.base;
        }

        public long stride() {
            return g.part;
        }

        public void barrier() {
            try {
                g.barrier.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("peer window barrier interrupted", e);
            } catch (BrokenBarrierException | TimeoutException e) {
                throw new IllegalStateException("peer window barrier failed: " + e, e);
            }
        }

        public void abort() {
            g.barrier.reset();
        }

        public void close() {
        }
    }
}
