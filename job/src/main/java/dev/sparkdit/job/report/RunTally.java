package dev.sparkdit.job.report;

import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.datasets.ResultStatus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Adds up a run's result rows one at a time (a table is streamed, never held as rows) and {@link #finish()}es
 * into its {@link RunFigures}. Keeps per group its busy time, its {@code total_ms} in row order and its step
 * times per host; per run the stage sums over ok rows, the slowest ok rows and the first failed ones.
 */
final class RunTally {
    /** How many of the slowest images the page lists per run. */
    static final int SLOWEST = 5;

    private final String label;
    private final String source;
    private final int maxFailed;

    private long rows;
    private long ok;
    private long failed;
    private final Set<String> models = new TreeSet<>();
    private final Set<String> sizes = new TreeSet<>();
    private final Map<String, Set<Integer>> plans = new TreeMap<>();
    private final Set<String> hosts = new TreeSet<>();
    private final Set<String> gpus = new TreeSet<>();
    private final Map<Integer, Group> groups = new TreeMap<>();
    private final double[] stageSums = new double[7];
    private final PriorityQueue<Straggler> slowest = new PriorityQueue<>(Comparator.comparingDouble(Straggler::totalMs));
    private final List<FailedRow> failedShown = new ArrayList<>();

    private static final class Group {
        double busyMs;
        final Doubles totals = new Doubles();
        final Map<String, Doubles> stepsByHost = new TreeMap<>();
        final Set<String> plans = new TreeSet<>();
    }

    RunTally(String label, String source, int maxFailed) {
        if (maxFailed < 0) {
            throw new IllegalArgumentException("failed rows to keep must be >= 0, got " + maxFailed);
        }
        this.label = label;
        this.source = source;
        this.maxFailed = maxFailed;
    }

    void add(ResultRow r) {
        rows++;
        boolean isOk = r.status() == ResultStatus.OK;
        Group g = groups.computeIfAbsent(r.group(), k -> new Group());
        int index = g.totals.size();
        g.busyMs += r.totalMs();
        g.totals.add(isOk ? r.totalMs() : Double.NaN);
        Doubles steps = g.stepsByHost.computeIfAbsent(r.host(), k -> new Doubles());
        for (double ms : r.stepMs()) {
            steps.add(ms);
        }
        g.plans.add(r.parallelPlan());
        plans.computeIfAbsent(r.parallelPlan(), k -> new TreeSet<>()).add(r.group());
        hosts.add(r.host());
        for (int id : r.gpuIds()) {
            gpus.add(r.host() + '\0' + id);
        }
        models.add(r.model());
        sizes.add(String.format(Locale.ROOT, "%dx%d, %d steps", r.width(), r.height(), r.steps()));
        if (isOk) {
            ok++;
            double[] s = {r.tokenizeMs(), r.textEncodeMs(), r.denoiseMs(), r.decodeMs(), r.writeMs(), r.totalMs(),
                    r.loadMs()};
            for (int i = 0; i < s.length; i++) {
                stageSums[i] += s[i];
            }
            slowest.add(new Straggler(r.promptId(), r.group(), r.host(), index, r.totalMs()));
            if (slowest.size() > SLOWEST) {
                slowest.poll();
            }
        } else {
            failed++;
            if (failedShown.size() < maxFailed) {
                failedShown.add(new FailedRow(r.promptId(), r.group(), r.host(), r.attempt(), r.error()));
            }
        }
    }

    RunFigures finish() {
        int[] ids = new int[groups.size()];
        double[] busy = new double[groups.size()];
        List<StepSpread> byGroup = new ArrayList<>();
        List<GroupTimes> timeline = new ArrayList<>();
        Map<String, Doubles> hostSteps = new TreeMap<>();
        Map<String, Set<Integer>> hostGroups = new TreeMap<>();
        int i = 0;
        for (Map.Entry<Integer, Group> e : groups.entrySet()) {
            Group g = e.getValue();
            ids[i] = e.getKey();
            busy[i] = g.busyMs;
            i++;
            Doubles all = new Doubles();
            for (Map.Entry<String, Doubles> h : g.stepsByHost.entrySet()) {
                all.addAll(h.getValue());
                hostSteps.computeIfAbsent(h.getKey(), k -> new Doubles()).addAll(h.getValue());
                hostGroups.computeIfAbsent(h.getKey(), k -> new TreeSet<>()).add(e.getKey());
            }
            Percentiles p = Percentiles.of(all.toArray());
            if (p != null) {
                byGroup.add(new StepSpread(Integer.toString(e.getKey()), String.join(", ", g.stepsByHost.keySet())
                        + "; " + String.join(", ", g.plans), p));
            }
            timeline.add(new GroupTimes(e.getKey(), g.totals.toArray()));
        }
        List<StepSpread> byHost = new ArrayList<>();
        for (Map.Entry<String, Doubles> h : hostSteps.entrySet()) {
            Percentiles p = Percentiles.of(h.getValue().toArray());
            if (p != null) {
                byHost.add(new StepSpread(h.getKey(), groupList(hostGroups.get(h.getKey())), p));
            }
        }
        StageMeans stages = ok == 0 ? null : new StageMeans(ok, stageSums[0] / ok, stageSums[1] / ok,
                stageSums[2] / ok, stageSums[3] / ok, stageSums[4] / ok, stageSums[5] / ok, stageSums[6] / ok);
        Map<String, Integer> planCounts = new LinkedHashMap<>();
        plans.forEach((plan, gs) -> planCounts.put(plan, gs.size()));
        List<Straggler> slow = new ArrayList<>(slowest);
        slow.sort(Comparator.comparingDouble(Straggler::totalMs).reversed());
        return new RunFigures(label, source, rows, ok, failed, List.copyOf(models), List.copyOf(sizes),
                planCounts, List.copyOf(hosts), gpus.size(), Throughput.of(ok, ids, busy), stages, byGroup, byHost,
                timeline, slow, List.copyOf(failedShown));
    }

    private static String groupList(Set<Integer> groups) {
        StringBuilder sb = new StringBuilder(groups.size() == 1 ? "group " : "groups ");
        int shown = 0;
        for (int g : groups) {
            if (shown == 8) {
                return sb.append(", ... (").append(groups.size()).append(" in all)").toString();
            }
            sb.append(shown++ > 0 ? ", " : "").append(g);
        }
        return sb.toString();
    }
}
