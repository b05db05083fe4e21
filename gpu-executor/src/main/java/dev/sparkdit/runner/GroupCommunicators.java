package dev.sparkdit.runner;

import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.cuda.CudaBackend;
import dev.sparkdit.cuda.CudaPeerWindows;
import dev.sparkdit.usp.Fp8Communication;
import dev.sparkdit.usp.LocalAttention;
import dev.sparkdit.usp.ParallelPlan;
import dev.sparkdit.usp.RankPlacement;
import dev.sparkdit.usp.RingAttention;
import dev.sparkdit.usp.SequenceAttention;
import dev.sparkdit.usp.UlyssesAttention;
import dev.sparkdit.usp.UspAttention;
import dev.sparkdit.usp.comm.Communicator;
import dev.sparkdit.usp.comm.GlooCommunicator;
import dev.sparkdit.usp.comm.NcclCommunicator;
import dev.sparkdit.usp.comm.PeerWindows;
import dev.sparkdit.usp.comm.Rendezvous;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One rank's communicators (its Ulysses group and its ring, where the degree is above 1) and the
 * attention strategy built on them. NCCL for the CUDA backend on the backend's stream, Gloo for the CPU.
 */
public final class GroupCommunicators implements AutoCloseable {
    final List<Communicator> all = new ArrayList<>();
    final SequenceAttention attention;
    /** Peer windows of the Ulysses group (CUDA ranks only; closed before the communicators). */
    private final CudaPeerWindows windows;

    GroupCommunicators(ParallelPlan plan, RankPlacement me, ComputeBackend backend, Rendezvous rendezvous,
                       int[] lengths, Fp8Communication fp8, Duration timeout) {
        Communicator ulysses = null;
        Communicator ring = null;
        try {
            if (plan.ulysses() > 1) {
                ulysses = create(backend, rendezvous, "d" + me.dpIndex() + "-ulysses-r" + me.ringIndex(),
                        me.ulyssesIndex(), plan.ulysses(), timeout);
                all.add(ulysses);
            }
            if (plan.ring() > 1) {
                ring = create(backend, rendezvous, "d" + me.dpIndex() + "-ring-u" + me.ulyssesIndex(),
                        me.ringIndex(), plan.ring(), timeout);
                all.add(ring);
            }
        } catch (RuntimeException e) {
            abort();
            close();
            throw e;
        }
        windows = backend instanceof CudaBackend cuda && ulysses != null
                ? new CudaPeerWindows(cuda.cudaOps(), timeout) : null;
        PeerWindows peers = windows != null ? windows : PeerWindows.NONE;
        if (ulysses != null && ring != null) {
            attention = new UspAttention(ulysses, ring, lengths, fp8, peers);
        } else if (ulysses != null) {
            attention = new UlyssesAttention(ulysses, lengths, fp8, LocalAttention.INSTANCE,
                    Integer.getInteger(UlyssesAttention.CHUNKS_PROPERTY, UlyssesAttention.DEFAULT_CHUNKS), peers);
        } else if (ring != null) {
            attention = new RingAttention(ring, lengths);
        } else {
            attention = LocalAttention.INSTANCE;
        }
    }

    private static Communicator create(ComputeBackend backend, Rendezvous rendezvous, String group, int rank,
                                       int size, Duration timeout) {
        if (backend instanceof CudaBackend cuda) {
            return NcclCommunicator.create(rendezvous, group, rank, size, cuda.ops().device().index(),
                    cuda.cudaOps().stream().handle(), timeout);
        }
        return GlooCommunicator.create(rendezvous, group, rank, size, timeout);
    }

    void abort() {
        if (windows != null) {
            windows.abort();
        }
        for (Communicator c : all) {
            try {
                c.abort();
            } catch (RuntimeException ignored) {
                // Aborting is best effort: the point is to release peers, and the first error is reported.
            }
        }
    }

    @Override
    public void close() {
        if (windows != null) {
            try {
                windows.close();
            } catch (RuntimeException ignored) {
                // As below: after a failure the first error is what the caller sees.
            }
        }
        for (Communicator c : all) {
            try {
                c.close();
            } catch (Exception ignored) {
                // Closing after an abort may fail again; the run's first error is what the caller sees.
            }
        }
        all.clear();
    }
}
