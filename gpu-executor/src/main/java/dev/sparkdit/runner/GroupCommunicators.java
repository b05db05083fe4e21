package dev.sparkdit.runner;

import dev.sparkdit.backend.CommunicatorFactory;
import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.options.RunOptions;
import dev.sparkdit.usp.LocalAttention;
import dev.sparkdit.usp.ParallelPlan;
import dev.sparkdit.usp.RankPlacement;
import dev.sparkdit.usp.RingAttention;
import dev.sparkdit.usp.SequenceAttention;
import dev.sparkdit.usp.UlyssesAttention;
import dev.sparkdit.usp.UspAttention;
import dev.sparkdit.usp.comm.Communicator;
import dev.sparkdit.usp.comm.PeerWindows;
import dev.sparkdit.usp.comm.Rendezvous;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One rank's communicators, made by its backend: its Ulysses group and its ring where their degree is above
 * 1, and the whole sequence-parallel group (every rank sharing one image: the text states go out from its
 * first rank, the latents come back to it). Attention strategies are built on them per token split and kept.
 */
final class GroupCommunicators implements AutoCloseable {
    private final List<Communicator> all = new ArrayList<>();
    private final Communicator ulysses;
    private final Communicator ring;
    private final Communicator group;
    private final PeerWindows windows;
    private final RunOptions options;
    private final Map<List<Integer>, SequenceAttention> strategies = new HashMap<>();

    GroupCommunicators(ParallelPlan plan, RankPlacement me, ComputeBackend backend, Rendezvous rendezvous,
                       RunOptions options) {
        this.options = options;
        CommunicatorFactory factory = backend.communicators();
        String replica = "d" + me.dpIndex();
        Communicator u = null;
        Communicator r = null;
        Communicator g = null;
        try {
            if (plan.ulysses() > 1) {
                u = factory.create(rendezvous, replica + "-ulysses-r" + me.ringIndex(), me.ulyssesIndex(),
                        plan.ulysses(), options.collectiveTimeout());
                all.add(u);
            }
            if (plan.ring() > 1) {
                r = factory.create(rendezvous, replica + "-ring-u" + me.ulyssesIndex(), me.ringIndex(), plan.ring(),
                        options.collectiveTimeout());
                all.add(r);
            }
            if (plan.sequenceParallelDegree() > 1) {
                g = factory.create(rendezvous, replica + "-group", me.sequenceIndex(plan.ulysses()),
                        plan.sequenceParallelDegree(), options.collectiveTimeout());
                all.add(g);
            }
        } catch (RuntimeException e) {
            abort();
            close();
            throw e;
        }
        this.ulysses = u;
        this.ring = r;
        this.group = g;
        this.windows = u != null ? backend.peerWindows(options.collectiveTimeout()) : PeerWindows.NONE;
    }

    /** The whole group sharing one sequence (null for a single rank). */
    Communicator group() {
        return group;
    }

    /**
     * The attention strategy for these per-rank token counts (sequence-index order), made once per split: Ulysses,
     * Ring, the USP mesh or local attention.
     */
    SequenceAttention attention(int[] lengths) {
        return strategies.computeIfAbsent(Arrays.stream(lengths).boxed().toList(), k -> {
            if (ulysses != null && ring != null) {
                return new UspAttention(ulysses, ring, lengths, options.fp8(), options.sequence(), windows);
            }
            if (ulysses != null) {
                return new UlyssesAttention(ulysses, lengths, options.fp8(), LocalAttention.INSTANCE,
                        options.sequence(), windows);
            }
            if (ring != null) {
                return new RingAttention(ring, lengths);
            }
            return LocalAttention.INSTANCE;
        });
    }

    /** Makes peers blocked in a collective with this rank fail fast. Best effort, idempotent. */
    void abort() {
        abort(null);
    }

    /** {@link #abort()}, telling peers why where the library can ({@link Communicator#abort(String)}). */
    void abort(String reason) {
        if (windows != null) {
            try {
                windows.abort();
            } catch (RuntimeException ignored) {
                // The point is to release peers; the first error is the one reported.
            }
        }
        for (Communicator c : all) {
            try {
                c.abort(reason);
            } catch (RuntimeException ignored) {
                // As above.
            }
        }
    }

    @Override
    public void close() {
        if (windows != null) {
            try {
                windows.close();
            } catch (RuntimeException ignored) {
                // After a failure the first error is what the caller sees.
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
