package dev.sparkdit.runner;

import dev.sparkdit.backend.Backends;
import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.options.RunOptions;
import dev.sparkdit.usp.ParallelPlan;
import dev.sparkdit.usp.RankPlacement;
import dev.sparkdit.usp.SequenceAttention;
import dev.sparkdit.usp.comm.Communicator;
import dev.sparkdit.usp.comm.Rendezvous;

/**
 * One rank of a plan, set up: its backend (on its local GPU) and its communicators, formed through a
 * rendezvous with the other ranks. Everything that runs on a rank (parity, bench, the pipeline, the Spark
 * task) gets one of these from {@link RankGroup} and works through it.
 */
public final class Rank implements AutoCloseable {
    private final ParallelPlan plan;
    private final RankPlacement placement;
    private final RunOptions options;
    private final ComputeBackend backend;
    private final GroupCommunicators comms;
    private final boolean ownsBackend;

    private Rank(ParallelPlan plan, RankPlacement placement, RunOptions options, ComputeBackend backend,
                 GroupCommunicators comms, boolean ownsBackend) {
        this.plan = plan;
        this.placement = placement;
        this.options = options;
        this.backend = backend;
        this.comms = comms;
        this.ownsBackend = ownsBackend;
    }

    /**
     * Creates the backend with {@code scratchBytes} of scratch on {@code device} (the rank's GPU) and joins the
     * group's communicators through {@code rendezvous}; every rank of the plan must call this.
     */
    static Rank open(ParallelPlan plan, RankPlacement me, int device, RunOptions options, long scratchBytes,
                     Rendezvous rendezvous) {
        ComputeBackend backend = Backends.create(options, device, scratchBytes);
        try {
            return new Rank(plan, me, options, backend, new GroupCommunicators(plan, me, backend, rendezvous, options),
                    true);
        } catch (RuntimeException | Error e) {
            backend.close();
            throw e;
        }
    }

    /**
     * A rank on a backend that outlives it (a Spark executor keeps its backend and loaded weights across tasks):
     * only the communicators are made here, and closing the rank leaves the backend open.
     */
    static Rank open(ParallelPlan plan, RankPlacement me, ComputeBackend borrowed, RunOptions options,
                     Rendezvous rendezvous) {
        return new Rank(plan, me, options, borrowed, new GroupCommunicators(plan, me, borrowed, rendezvous, options),
                false);
    }

    public ParallelPlan plan() {
        return plan;
    }

    public RankPlacement placement() {
        return placement;
    }

    public RunOptions options() {
        return options;
    }

    public ComputeBackend backend() {
        return backend;
    }

    public Ops ops() {
        return backend.ops();
    }

    /** This rank's index among the ranks sharing one sequence (ring-major). */
    public int sequenceIndex() {
        return placement.sequenceIndex(plan.ulysses());
    }

    /** Ranks sharing one sequence. */
    public int sequenceRanks() {
        return plan.sequenceParallelDegree();
    }

    /** Whether this rank leads its sequence group (encodes text, decodes and writes images). */
    public boolean leads() {
        return sequenceIndex() == 0;
    }

    /** The communicator of every rank sharing this rank's sequence; null when it is alone. */
    public Communicator group() {
        return comms.group();
    }

    /** Sequence-parallel attention for these per-rank token counts (sequence-index order), made once per split. */
    public SequenceAttention attention(int[] lengths) {
        if (lengths.length != sequenceRanks()) {
            throw new IllegalArgumentException(lengths.length + " token counts for " + sequenceRanks() + " ranks");
        }
        return comms.attention(lengths);
    }

    /** After a failure: makes peers blocked in a collective with this rank fail fast. Idempotent, any thread. */
    public void abort() {
        comms.abort();
    }

    /**
     * {@link #abort()}, with the reason peers quote in their errors where the library carries it (Gloo):
     * {@code "rank 1 of 2 failed: ..."} tells a peer's reader which rank failed first.
     */
    public void abort(String reason) {
        comms.abort(reason);
    }

    @Override
    public void close() {
        try {
            comms.close();
        } finally {
            if (ownsBackend) {
                backend.close();
            }
        }
    }
}
