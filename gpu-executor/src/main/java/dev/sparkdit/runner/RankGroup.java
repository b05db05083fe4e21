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
 * threads, its peers') with the reason {@code "rank R of W failed: ..."}, so that the others fail fast instead
 * of waiting in a collective, and (Gloo) say which rank failed. In a plan of several ranks a rank's failure is
 * thrown as a {@link RankFailedException} naming it; {@link #runThreads} throws the failure that came first in
 * time (the cause; the others, its consequences, suppressed in it).
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
        return run(plan, plan.placement(rank), device, options, scratchBytes, rendezvous, body, null, null);
    }

    /**
     * One rank joining its group through {@code rendezvous} on a backend that outlives the run (its weights stay
     * loaded for the next task); the backend's device is the rank's GPU.
     */
    public static <T> T runOne(ParallelPlan plan, int rank, ComputeBackend borrowed, RunOptions options,
                               Rendezvous rendezvous, RankBody<T> body) throws Exception {
        RankPlacement me = plan.placement(rank);
        Rank r;
        try {
            r = Rank.open(plan, me, borrowed, options, rendezvous);
        } catch (Exception | Error e) {
            throw rethrow(failed(plan, me, e, null));
        }
        try (r) {
            try {
                return body.run(r);
            } catch (Exception | Error e) {
                Throwable thrown = failed(plan, me, e, null);
                r.abort(RankFailedException.describe(me.rank(), plan.worldSize(), e));
                throw rethrow(thrown);
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
        // Failures in the order they happened: the first is the cause, the later ones mostly its consequences.
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
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
                    return run(plan, me, me.localGpu(), options, scratchBytes, rendezvous, body, live, failures);
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    if (!failures.contains(e.getCause())) {
                        failures.add(e.getCause());
                    }
                    results.add(null);
                }
            }
            if (!failures.isEmpty()) {
                Throwable first = failures.get(0);
                for (Throwable later : failures.subList(1, failures.size())) {
                    if (later != first) {
                        first.addSuppressed(later);
                    }
                }
                if (first instanceof Error err) {
                    throw err;
                }
                throw first instanceof Exception ex ? ex : new IllegalStateException(first);
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> T run(ParallelPlan plan, RankPlacement me, int device, RunOptions options, long scratchBytes,
                             Rendezvous rendezvous, RankBody<T> body, List<Rank> live, List<Throwable> failures)
            throws Exception {
        Rank rank;
        try {
            rank = Rank.open(plan, me, device, options, scratchBytes, rendezvous);
        } catch (Exception | Error e) {
            throw rethrow(failed(plan, me, e, failures));
        }
        try (rank) {
            if (live != null) {
                live.add(rank);
            }
            try {
                return body.run(rank);
            } catch (Exception | Error e) {
                Throwable thrown = failed(plan, me, e, failures);
                String reason = RankFailedException.describe(me.rank(), plan.worldSize(), e);
                rank.abort(reason);
                if (live != null) {
                    synchronized (live) {
                        for (Rank r : live) {
                            r.abort(reason);
                        }
                    }
                }
                throw rethrow(thrown);
            } finally {
                if (live != null) {
                    live.remove(rank);
                }
            }
        }
    }

    /**
     * What a rank's failure is thrown as: itself for a plan of one rank, else a {@link RankFailedException} naming
     * the rank ({@link Error}s stay as they are); recorded in {@code failures} (when given) at once, so that their
     * order is the order they happened.
     */
    private static Throwable failed(ParallelPlan plan, RankPlacement me, Throwable e, List<Throwable> failures) {
        Throwable out = plan.worldSize() == 1 || e instanceof Error || e instanceof RankFailedException ? e
                : new RankFailedException(me.rank(), plan.worldSize(), e);
        if (failures != null) {
            failures.add(out);
        }
        return out;
    }

    /** Throws an Error as it is; returns an Exception for the caller to throw. */
    private static Exception rethrow(Throwable t) {
        if (t instanceof Error err) {
            throw err;
        }
        return (Exception) t;
    }
}
