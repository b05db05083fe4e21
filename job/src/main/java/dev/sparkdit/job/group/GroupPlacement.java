package dev.sparkdit.job.group;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which barrier task is which rank of which group. The tasks of a stage land on executors as the cluster schedules
 * them; this places them so that every Ulysses block (the {@code U} ranks of one all-to-all, which needs NVLink) is
 * on one host wherever the hosts' task counts allow, and a group's ring blocks follow each other on a host where
 * they can (a ring may cross hosts). Deterministic: every task computes the same placement from the same list.
 *
 * <pre>
 *   hosts in name order; a host's tasks in GPU order, cut into blocks of U; the tasks left over (a host whose count
 *   is not a multiple of U) form blocks across hosts, last
 *   group g takes blocks [g R, (g + 1) R); block b's k-th task is world rank g N + (b mod R) U + k
 *   (the ParallelPlan layout: rank = (dp * ring + r) * ulysses + u)
 * </pre>
 */
public final class GroupPlacement {
    private final int[] worldRankOfTask;
    private final List<Integer> blocksAcrossHosts;

    private GroupPlacement(int[] worldRankOfTask, List<Integer> blocksAcrossHosts) {
        this.worldRankOfTask = worldRankOfTask;
        this.blocksAcrossHosts = blocksAcrossHosts;
    }

    public static GroupPlacement of(List<TaskSlot> slots, int groups, int ulysses, int ring) {
        int n = ulysses * ring;
        if (slots.size() != groups * n) {
            throw new IllegalArgumentException(slots.size() + " tasks for " + groups + " groups of " + n + " ranks");
        }
        Map<String, List<TaskSlot>> byHost = new TreeMap<>();
        for (TaskSlot s : slots) {
            byHost.computeIfAbsent(s.host(), h -> new ArrayList<>()).add(s);
        }
        List<List<TaskSlot>> blocks = new ArrayList<>();
        List<TaskSlot> leftover = new ArrayList<>();
        for (List<TaskSlot> tasks : byHost.values()) {
            tasks.sort(Comparator.comparingInt(TaskSlot::gpu).thenComparingInt(TaskSlot::task));
            int whole = tasks.size() / ulysses * ulysses;
            for (int i = 0; i < whole; i += ulysses) {
                blocks.add(tasks.subList(i, i + ulysses));
            }
            leftover.addAll(tasks.subList(whole, tasks.size()));
        }
        List<Integer> across = new ArrayList<>();
        for (int i = 0; i < leftover.size(); i += ulysses) {
            across.add(blocks.size());
            blocks.add(leftover.subList(i, i + ulysses));
        }
        int[] world = new int[slots.size()];
        for (int b = 0; b < blocks.size(); b++) {
            int g = b / ring;
            for (int k = 0; k < ulysses; k++) {
                world[blocks.get(b).get(k).task()] = g * n + (b % ring) * ulysses + k;
            }
        }
        return new GroupPlacement(world, across);
    }

    /** The world rank of barrier task {@code task}; its group is {@code rank / (ulysses x ring)}. */
    public int worldRank(int task) {
        return worldRankOfTask[task];
    }

    /** Ulysses blocks that had to span hosts (empty when every host's task count is a multiple of U). */
    public List<Integer> blocksAcrossHosts() {
        return blocksAcrossHosts;
    }

    /** For logs: world rank to task. */
    public Map<Integer, Integer> taskOfWorldRank() {
        Map<Integer, Integer> m = new LinkedHashMap<>();
        for (int t = 0; t < worldRankOfTask.length; t++) {
            m.put(worldRankOfTask[t], t);
        }
        return m;
    }
}
