package dev.sparkdit.usp;

import java.util.ArrayList;
import java.util.List;

/**
 * How {@code worldSize} ranks are arranged: {@code dp} data-parallel replicas, each rendering its own
 * prompts with {@code ring x ulysses} ranks that share one sequence. Computed once, immutable.
 *
 * <p>Layout: {@code rank = (dpIndex * ring + ringIndex) * ulysses + ulyssesIndex}. Ulysses is the
 * inner dimension: a Ulysses group is {@code ulysses} consecutive ranks, which must sit on one host
 * (its all-to-all needs NVLink bandwidth). Ring is the outer dimension: members of a ring group are
 * {@code ulysses} ranks apart and may be on different hosts (its point-to-point traffic overlaps with
 * compute). Hosts hold {@code gpusPerHost} consecutive ranks: {@code host = rank / gpusPerHost}.
 */
public record ParallelPlan(int worldSize, int dp, int ring, int ulysses, int gpusPerHost, int hosts,
                           List<RankPlacement> ranks) {

    public ParallelPlan {
        ranks = List.copyOf(ranks);
    }

    /**
     * Validates and lays out a plan; {@code dp = worldSize / (ulysses * ring)}.
     *
     * @throws IllegalArgumentException naming the numbers when degrees do not divide the world size,
     *         or a Ulysses group would span hosts
     */
    public static ParallelPlan of(int worldSize, int ulysses, int ring, int gpusPerHost) {
        if (worldSize < 1) {
            throw new IllegalArgumentException("world size must be >= 1, got " + worldSize);
        }
        if (ulysses < 1) {
            throw new IllegalArgumentException("ulysses degree must be >= 1, got " + ulysses);
        }
        if (ring < 1) {
            throw new IllegalArgumentException("ring degree must be >= 1, got " + ring);
        }
        if (gpusPerHost < 1) {
            throw new IllegalArgumentException("GPUs per host must be >= 1, got " + gpusPerHost);
        }
        long sp = (long) ulysses * ring;
        if (sp > worldSize || worldSize % sp != 0) {
            throw new IllegalArgumentException("ulysses " + ulysses + " x ring " + ring + " = " + sp
                    + " does not divide world size " + worldSize);
        }
        if (worldSize > gpusPerHost && worldSize % gpusPerHost != 0) {
            throw new IllegalArgumentException("world size " + worldSize + " is not a whole number of hosts of "
                    + gpusPerHost + " GPUs");
        }
        int hostSize = Math.min(gpusPerHost, worldSize);
        if (ulysses > hostSize) {
            throw new IllegalArgumentException("ulysses degree " + ulysses + " spans hosts of " + hostSize
                    + " GPUs: Ulysses groups must stay inside a host's NVLink island");
        }
        if (hostSize % ulysses != 0) {
            throw new IllegalArgumentException("ulysses degree " + ulysses + " does not divide hosts of "
                    + hostSize + " GPUs: a Ulysses group would straddle two hosts; Ulysses groups must stay"
                    + " inside a host's NVLink island");
        }
        int dp = (int) (worldSize / sp);
        int hosts = (worldSize + gpusPerHost - 1) / gpusPerHost;
        List<RankPlacement> placements = new ArrayList<>(worldSize);
        for (int rank = 0; rank < worldSize; rank++) {
            int u = rank % ulysses;
            int r = (rank / ulysses) % ring;
            int d = rank / (ulysses * ring);
            int replicaBase = d * ring * ulysses;
            List<Integer> ulyssesGroup = new ArrayList<>(ulysses);
            for (int i = 0; i < ulysses; i++) {
                ulyssesGroup.add(replicaBase + r * ulysses + i);
            }
            List<Integer> ringGroup = new ArrayList<>(ring);
            for (int i = 0; i < ring; i++) {
                ringGroup.add(replicaBase + i * ulysses + u);
            }
            placements.add(new RankPlacement(rank, rank / gpusPerHost, rank % gpusPerHost, d, r, u,
                    ulyssesGroup, ringGroup));
        }
        return new ParallelPlan(worldSize, dp, ring, ulysses, gpusPerHost, hosts, placements);
    }

    public RankPlacement placement(int rank) {
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " outside world of size " + worldSize);
        }
        return ranks.get(rank);
    }

    /** Ranks sharing one sequence: {@code ring * ulysses}. */
    public int sequenceParallelDegree() {
        return ring * ulysses;
    }

    /** Global ranks of data-parallel replica {@code dpIndex}, in sequence-index (ring-major) order. */
    public List<Integer> replica(int dpIndex) {
        if (dpIndex < 0 || dpIndex >= dp) {
            throw new IllegalArgumentException("dp index " + dpIndex + " outside [0, " + dp + ")");
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < sequenceParallelDegree(); i++) {
            out.add(dpIndex * sequenceParallelDegree() + i);
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "ParallelPlan[world " + worldSize + " = dp " + dp + " x ring " + ring + " x ulysses " + ulysses
                + " on " + hosts + " host(s) of " + gpusPerHost + " GPUs]";
    }
}
