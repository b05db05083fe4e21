package dev.sparkdit.runner;

import dev.sparkdit.backend.Backends;
import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.usp.Fp8Communication;
import dev.sparkdit.usp.ParallelPlan;
import dev.sparkdit.usp.RankPlacement;
import dev.sparkdit.usp.comm.InProcessRendezvous;
import dev.sparkdit.usp.comm.Rendezvous;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the ranks of one plan as threads of this JVM, as Spark executor tasks do: each thread makes its
 * own backend (CUDA device = its rank's local GPU), forms its communicators through an in-process
 * rendezvous and runs the body. A rank that fails aborts its communicators so its peers fail fast; the
 * first failure is rethrown with the others suppressed.
 */
public final class SequenceParallelGroup {
    private SequenceParallelGroup() {
    }

    /**
     * One rank in this thread: backend, communicators through {@code rendezvous}, body. On failure this
     * rank's communicators are aborted, and those of every rank in {@code live} (threads of one JVM).
     *
     * @param live the communicators of the other ranks in this JVM, or null when ranks are processes
     */
    public static <T> T runRank(ParallelPlan plan, RankPlacement me, String backendName, long scratchBytes,
                                int[] lengths, Fp8Communication fp8, Rendezvous rendezvous, Duration timeout,
                                RankBody<T> body, List<GroupCommunicators> live) throws Exception {
        try (ComputeBackend backend = Backends.create(backendName, me.localGpu(), scratchBytes);
             GroupCommunicators comms = new GroupCommunicators(plan, me, backend, rendezvous, lengths, fp8, timeout)) {
            if (live != null) {
                live.add(comms);
            }
            try {
                return body.run(me, backend, comms.attention);
            } catch (Exception | Error e) {
                comms.abort();
                if (live != null) {
                    synchronized (live) {
                        for (GroupCommunicators c : live) {
                            c.abort();
                        }
                    }
                }
                throw e;
            } finally {
                if (live != null) {
                    live.remove(comms);
                }
            }
        }
    }

    public static <T> List<T> run(ParallelPlan plan, String backendName, long scratchBytes, int[] lengths,
                                  Fp8Communication fp8, Duration timeout, RankBody<T> body) throws Exception {
        if (lengths.length != plan.sequenceParallelDegree()) {
            throw new IllegalArgumentException(lengths.length + " sequence lengths for " + plan);
        }
        InProcessRendezvous rendezvous = new InProcessRendezvous(timeout);
        // Every rank's communicators, so a failing rank can abort its peers too: NCCL does not tell a
        // peer that a rank aborted, and a peer blocked in a collective would wait for its timeout.
        List<GroupCommunicators> live = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(plan.worldSize(), r -> {
            Thread t = new Thread(r, "sparkdit-rank");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int rank = 0; rank < plan.worldSize(); rank++) {
                RankPlacement me = plan.placement(rank);
                futures.add(pool.submit(() -> {
                    Thread.currentThread().setName("sparkdit-rank-" + me.rank());
                    return runRank(plan, me, backendName, scratchBytes, lengths, fp8, rendezvous, timeout, body, live);
                }));
            }
            List<T> results = new ArrayList<>();
            Exception first = null;
            for (Future<T> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    Exception cause = e.getCause() instanceof Exception ex ? ex : e;
                    if (first == null) {
                        first = cause;
                    } else {
                        first.addSuppressed(cause);
                    }
                    results.add(null);
                }
            }
            if (first != null) {
                throw first;
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
