package dev.sparkdit.runner;

import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.options.RunOptions;
import dev.sparkdit.usp.ParallelPlan;
import dev.sparkdit.usp.RankPlacement;
import dev.sparkdit.usp.comm.InProcessRendezvous;
import dev.sparkdit.usp.comm.Rendezvous;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the ranks of a plan: all of them as threads of this JVM ({@link #runThreads}), or one of them in a
 * group whose ranks are processes or Spark tasks meeting through a rendezvous ({@link #runOne}). Either way
 * each rank gets its {@link Rank} and runs the body; a rank that fails aborts its communicators (and, for
 * threads, its peers') so that the others fail fast instead of waiting in a collective; the first failure is
 * thrown with the others suppressed.
 */
public final class RankGroup {
    private RankGroup() {
    }

    /**
     * One rank joining its group through {@code rendezvous}.
     *
     * @param device the GPU this rank runs on (its placement's local GPU, or what the cluster assigned)
     */
    public static <T> T runOne(ParallelPlan plan, int rank, int device, RunOptions options, long scratchBytes,
                               Rendezvous rendezvous, RankBody<T> body) throws Exception {
        return run(plan, plan.placement(rank), device, options, scratchBytes, rendezvous, body, null);
    }

    /**
     * One rank joining its group through {@code rendezvous} on a backend that outlives the run (its weights stay
     * loaded for the next task); the backend's device is the rank's GPU.
     */
    public static <T> T runOne(ParallelPlan plan, int rank, ComputeBackend borrowed, RunOptions options,
                               Rendezvous rendezvous, RankBody<T> body) throws Exception {
        try (Rank r = Rank.open(plan, plan.placement(rank), borrowed, options, rendezvous)) {
            try {
                return body.run(r);
            } catch (Exception | Error e) {
                r.abort();
                throw e;
            }
        }
    }

    /** Every rank of {@code plan} as a thread of this JVM, rank r on its placement's GPU; results in rank order. */
    public static <T> List<T> runThreads(ParallelPlan plan, RunOptions options, long scratchBytes, RankBody<T> body)
            throws Exception {
        InProcessRendezvous rendezvous = new InProcessRendezvous(options.collectiveTimeout());
        // NCCL does not tell a peer that a rank aborted, and a peer blocked in a collective would wait for its
        // timeout: a failing thread aborts every rank's communicators.
        List<Rank> live = Collections.synchronizedList(new ArrayList<>());
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
                    return run(plan, me, me.localGpu(), options, scratchBytes, rendezvous, body, live);
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
                    } else if (first != cause) {
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

    private static <T> T run(ParallelPlan plan, RankPlacement me, int device, RunOptions options, long scratchBytes,
                             Rendezvous rendezvous, RankBody<T> body, List<Rank> live) throws Exception {
        try (Rank rank = Rank.open(plan, me, device, options, scratchBytes, rendezvous)) {
            if (live != null) {
                live.add(rank);
            }
            try {
                return body.run(rank);
            } catch (Exception | Error e) {
                rank.abort();
                if (live != null) {
                    synchronized (live) {
                        for (Rank r : live) {
                            r.abort();
                        }
                    }
                }
                throw e;
            } finally {
                if (live != null) {
                    live.remove(rank);
                }
            }
        }
    }
}
