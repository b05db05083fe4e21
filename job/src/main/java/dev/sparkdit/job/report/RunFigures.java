package dev.sparkdit.job.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything the report shows about one run (one result table), computed by {@link RunTally}.
 *
 * @param label          the run's name on the page
 * @param source         the path it was read from
 * @param rows           every row
 * @param ok             rows with status ok (the images)
 * @param failed         rows with status failed
 * @param models         distinct {@code model} values
 * @param sizes          distinct "WIDTHxHEIGHT, N steps"
 * @param plans          parallel plan to the number of groups that ran it
 * @param hosts          distinct hosts (group leaders)
 * @param gpus           distinct (host, GPU id) pairs; 0 on the CPU
 * @param throughput     the rendering rate
 * @param stages         mean time per stage over ok rows; null without ok rows
 * @param stepsByGroup   step-time spread per group, by group index
 * @param stepsByHost    step-time spread per host, by name
 * @param timeline       each group's {@code total_ms} by request index, by group index
 * @param slowest        the slowest ok images, slowest first
 * @param failedShown    the first failed rows in table order
 */
public record RunFigures(String label, String source, long rows, long ok, long failed, List<String> models,
                         List<String> sizes, Map<String, Integer> plans, List<String> hosts, int gpus,
                         Throughput throughput, StageMeans stages, List<StepSpread> stepsByGroup,
                         List<StepSpread> stepsByHost, List<GroupTimes> timeline, List<Straggler> slowest,
                         List<FailedRow> failedShown) {

    /** The ok images' {@code total_ms} at one request index, across the run's groups. */
    public record IndexSpread(int index, int count, double median, double min, double max) {
    }

    /** Per request index (0 = each group's first request), the spread of ok {@code total_ms} across groups. */
    public List<IndexSpread> byIndex() {
        int longest = 0;
        for (GroupTimes g : timeline) {
            longest = Math.max(longest, g.totalMs().length);
        }
        List<IndexSpread> out = new ArrayList<>();
        for (int i = 0; i < longest; i++) {
            Doubles at = new Doubles();
            for (GroupTimes g : timeline) {
                if (i < g.totalMs().length && !Double.isNaN(g.totalMs()[i])) {
                    at.add(g.totalMs()[i]);
                }
            }
            Percentiles p = Percentiles.of(at.toArray());
            if (p != null) {
                out.add(new IndexSpread(i, p.count(), p.p50(), p.min(), p.max()));
            }
        }
        return out;
    }
}
