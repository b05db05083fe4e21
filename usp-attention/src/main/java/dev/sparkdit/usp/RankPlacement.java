package dev.sparkdit.usp;

import java.util.List;

/**
 * Where one rank sits in a {@link ParallelPlan}: its host and GPU on that host, its coordinates on
 * the dp x ring x ulysses mesh, and the global ranks of the groups it communicates in. Members of a
 * group are listed in group-rank order (index in the list = rank in that group's communicator).
 */
public record RankPlacement(int rank, int host, int localGpu, int dpIndex, int ringIndex, int ulyssesIndex,
                            List<Integer> ulyssesGroup, List<Integer> ringGroup) {
    public RankPlacement {
        ulyssesGroup = List.copyOf(ulyssesGroup);
        ringGroup = List.copyOf(ringGroup);
    }

    /** This rank's index among the {@code ring * ulysses} ranks sharing one sequence: ring-major. */
    public int sequenceIndex(int ulysses) {
        return ringIndex * ulysses + ulyssesIndex;
    }
}
