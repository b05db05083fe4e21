package dev.sparkdit.job.report;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The report as one HTML page: no script, no network, the figures as relative links to PNG files beside it, and
 * under each figure a table of the numbers it draws. Every string that comes from a table (labels, paths, ids,
 * hosts, plans, errors) goes through {@link Html#escape}.
 */
final class ReportPage {
    /** Per run, at most this many request indexes in the time-per-image table. */
    static final int MAX_INDEXES = 200;

    private static final String STYLE = """
            body { font-family: sans-serif; margin: 24px auto; max-width: 1100px; color: #222; line-height: 1.4; }
            h1 { margin-bottom: 4px; }
            h2 { margin-top: 36px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
            table { border-collapse: collapse; margin: 12px 0; font-size: 14px; }
            th, td { border: 1px solid #ccc; padding: 3px 8px; vertical-align: top; }
            th { background: #f3f3f3; text-align: left; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
            td.err { white-space: pre-wrap; font-family: monospace; font-size: 12px; max-width: 700px; }
            .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; }
            .meta, .how { color: #555; font-size: 14px; }
            .empty { background: #fff4e5; border: 1px solid #f0c27b; padding: 8px 12px; }
            img { border: 1px solid #ddd; max-width: 100%; height: auto; }
            """;

    private final StringBuilder out = new StringBuilder();
    private final List<RunFigures> runs;
    private final String noFigures;

    private ReportPage(List<RunFigures> runs, String noFigures) {
        this.runs = runs;
        this.noFigures = noFigures;
    }

    /**
     * @param charts    the figure files that were drawn (a figure without data has none)
     * @param noFigures why no figure was drawn at all, or null when those with data were
     * @param maxFailed how many failed rows each run lists
     * @param generated when the report was made, as text
     */
    static String html(String title, List<RunFigures> runs, Set<String> charts, String noFigures, int maxFailed,
                       String generated) {
        ReportPage p = new ReportPage(runs, noFigures);
        p.write(title, charts, maxFailed, generated);
        return p.out.toString();
    }

    private void write(String title, Set<String> charts, int maxFailed, String generated) {
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(Html.escape(title)).append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
        out.append("<h1>").append(Html.escape(title)).append("</h1>\n");
        out.append("<p class=\"meta\">").append(runs.size()).append(runs.size() == 1 ? " run" : " runs")
                .append(", generated ").append(Html.escape(generated)).append(" by <code>sparkdit report</code>.</p>\n");
        long rows = runs.stream().mapToLong(RunFigures::rows).sum();
        if (rows == 0) {
            out.append("<p class=\"empty\">No rows: ").append(runs.size() == 1 ? "the result table is" : "every result table is")
                    .append(" empty, so there is nothing to plot.</p>\n");
        }
        summary();
        throughput(charts);
        stages(charts);
        steps(charts);
        timePerImage(charts);
        failed(maxFailed);
        how();
        out.append("</body>\n</html>\n");
    }

    private void summary() {
        out.append("<h2 id=\"runs\">Runs</h2>\n<table>\n<tr><th>Run</th><th>Source</th><th>Rows</th><th>OK</th>"
                + "<th>Failed</th><th>Groups</th><th>Hosts</th><th>GPUs</th><th>Parallel plans (groups)</th>"
                + "<th>Models</th><th>Sizes</th><th>Images per hour</th></tr>\n");
        for (int i = 0; i < runs.size(); i++) {
            RunFigures r = runs.get(i);
            out.append("<tr>").append(runCell(i)).append("<td><code>").append(Html.escape(r.source())).append("</code>");
            if (r.rows() == 0) {
                out.append(" (empty table)");
            }
            out.append("</td>").append(num(Html.count(r.rows()))).append(num(Html.count(r.ok())))
                    .append(num(Html.count(r.failed()))).append(num(Html.count(r.throughput().groups())))
                    .append(num(Html.count(r.hosts().size()))).append(num(r.gpus() == 0 ? "0 (CPU)" : Html.count(r.gpus())))
                    .append("<td>").append(plans(r.plans())).append("</td><td>")
                    .append(Html.escape(String.join(", ", r.models()))).append("</td><td>")
                    .append(Html.escape(String.join("; ", r.sizes()))).append("</td>")
                    .append(num(Html.rate(r.throughput().imagesPerHour()))).append("</tr>\n");
        }
        out.append("</table>\n");
    }

    private void throughput(Set<String> charts) {
        out.append("<h2 id=\"throughput\">1. Images per hour</h2>\n");
        figure(charts, FigureNames.THROUGHPUT, "Bar chart: ok images per hour, one bar per run",
                "No run has a time to divide by (no rows, or every total_ms is 0).");
        out.append("<table>\n<tr><th>Run</th><th>OK images</th><th>Groups</th><th>Busiest group</th>"
                + "<th>Its busy time (s) = wall</th><th>Images per hour</th><th>Sum of busy time (s)</th>"
                + "<th>Images per hour if balanced</th></tr>\n");
        for (int i = 0; i < runs.size(); i++) {
            Throughput t = runs.get(i).throughput();
            out.append("<tr>").append(runCell(i)).append(num(Html.count(t.okImages())))
                    .append(num(Html.count(t.groups()))).append(num(t.busiestGroup() < 0 ? "" : Integer.toString(t.busiestGroup())))
                    .append(num(Html.seconds(t.wallMs()))).append(num(Html.rate(t.imagesPerHour())))
                    .append(num(Html.seconds(t.busySumMs()))).append(num(Html.rate(t.balancedImagesPerHour())))
                    .append("</tr>\n");
        }
        out.append("</table>\n<p class=\"how\">A group's busy time is the sum of <code>total_ms</code> over its rows (ok"
                + " and failed). Groups render at the same time, so the busiest group's busy time stands for the run's"
                + " wall time: images per hour = ok images &times; 3,600,000 / that time. \"If balanced\" divides by the"
                + " groups' mean busy time instead (ok images &times; 3,600,000 &times; groups / sum of busy time): the"
                + " rate had the work been spread evenly. Model loading (<code>load_ms</code>) and Spark scheduling are"
                + " not included; result rows carry durations, not start and end times.</p>\n");
    }

    private void stages(Set<String> charts) {
        out.append("<h2 id=\"stages\">2. Mean time per stage</h2>\n");
        figure(charts, FigureNames.STAGES, "Stacked bar chart: mean milliseconds per stage per run",
                "No run has an ok image.");
        out.append("<table>\n<tr><th>Run</th><th>OK images</th>");
        for (String s : StageMeans.NAMES) {
            out.append("<th>").append(s).append(" (ms)</th>");
        }
        out.append("<th>other (ms)</th><th>total (ms)</th><th>model load (ms, not stacked)</th></tr>\n");
        for (int i = 0; i < runs.size(); i++) {
            StageMeans m = runs.get(i).stages();
            out.append("<tr>").append(runCell(i));
            if (m == null) {
                out.append("<td colspan=\"").append(StageMeans.NAMES.size() + 4).append("\">no ok images</td></tr>\n");
                continue;
            }
            out.append(num(Html.count(m.count())));
            for (double v : m.stages()) {
                out.append(num(Html.ms(v)));
            }
            out.append(num(Html.ms(m.otherMs()))).append(num(Html.ms(m.totalMs()))).append(num(Html.ms(m.loadMs())))
                    .append("</tr>\n");
        }
        out.append("</table>\n<p class=\"how\">Means over ok rows only (a failed row records 0 for the stages it never"
                + " reached). \"other\" is the mean <code>total_ms</code> beyond the five stages, 0 when they add up to"
                + " more (an image write overlapping the next render).</p>\n");
    }

    private void steps(Set<String> charts) {
        out.append("<h2 id=\"steps\">3. Denoising step times</h2>\n<h3>Per group</h3>\n");
        figure(charts, FigureNames.STEPS_BY_GROUP, "Box plot: step-time percentiles per group",
                "No row has a step time.");
        spreadTable("Group", "Host(s); parallel plan", true);
        out.append("<h3>Per host</h3>\n");
        figure(charts, FigureNames.STEPS_BY_HOST, "Box plot: step-time percentiles per host",
                "No row has a step time.");
        spreadTable("Host", "Groups", false);
        out.append("<p class=\"how\">Every entry of every row's <code>step_ms</code> (ok and failed rows). Percentiles"
                + " interpolate linearly between the nearest ranks (numpy's default): the q-th of n sorted values is at"
                + " rank q(n&minus;1). Boxes span p25 to p75 with the median marked, whiskers p5 to p95.</p>\n");
    }

    private void spreadTable(String keyName, String detailName, boolean byGroup) {
        out.append("<table>\n<tr><th>Run</th><th>").append(keyName).append("</th><th>").append(detailName)
                .append("</th><th>Steps</th><th>p5</th><th>p25</th><th>median</th><th>p75</th><th>p95</th>"
                        + "<th>mean</th><th>max</th></tr>\n");
        for (int i = 0; i < runs.size(); i++) {
            RunFigures r = runs.get(i);
            for (StepSpread s : byGroup ? r.stepsByGroup() : r.stepsByHost()) {
                Percentiles p = s.spread();
                out.append("<tr>").append(runCell(i)).append("<td>").append(Html.escape(s.key())).append("</td><td>")
                        .append(Html.escape(s.detail())).append("</td>").append(num(Html.count(p.count())))
                        .append(num(Html.ms(p.p5()))).append(num(Html.ms(p.p25()))).append(num(Html.ms(p.p50())))
                        .append(num(Html.ms(p.p75()))).append(num(Html.ms(p.p95()))).append(num(Html.ms(p.mean())))
                        .append(num(Html.ms(p.max()))).append("</tr>\n");
            }
        }
        out.append("</table>\n");
    }

    private void timePerImage(Set<String> charts) {
        out.append("<h2 id=\"time-per-image\">4. Time per image</h2>\n");
        figure(charts, FigureNames.TIME_PER_IMAGE, "Scatter plot: total milliseconds of each ok image over its"
                + " index in its group, with the median per index", "No run has an ok image.");
        out.append("<h3>Slowest images</h3>\n<table>\n<tr><th>Run</th><th>prompt_id</th><th>Group</th><th>Host</th>"
                + "<th>Index in group</th><th>total (ms)</th></tr>\n");
        for (int i = 0; i < runs.size(); i++) {
            for (Straggler s : runs.get(i).slowest()) {
                out.append("<tr>").append(runCell(i)).append("<td>").append(Html.escape(s.promptId())).append("</td>")
                        .append(num(Integer.toString(s.group()))).append("<td>").append(Html.escape(s.host()))
                        .append("</td>").append(num(Integer.toString(s.index()))).append(num(Html.ms(s.totalMs())))
                        .append("</tr>\n");
            }
        }
        out.append("</table>\n");
        for (int i = 0; i < runs.size(); i++) {
            List<RunFigures.IndexSpread> byIndex = runs.get(i).byIndex();
            if (byIndex.isEmpty()) {
                continue;
            }
            out.append("<details><summary>").append(Html.escape(runs.get(i).label()))
                    .append(": total ms per request index (the line in the figure)</summary>\n<table>\n"
                            + "<tr><th>Index</th><th>Groups with an ok image</th><th>median</th><th>min</th>"
                            + "<th>max</th></tr>\n");
            for (RunFigures.IndexSpread s : byIndex.subList(0, Math.min(MAX_INDEXES, byIndex.size()))) {
                out.append("<tr>").append(num(Integer.toString(s.index()))).append(num(Html.count(s.count())))
                        .append(num(Html.ms(s.median()))).append(num(Html.ms(s.min()))).append(num(Html.ms(s.max())))
                        .append("</tr>\n");
            }
            out.append("</table>\n");
            if (byIndex.size() > MAX_INDEXES) {
                out.append("<p class=\"how\">The first ").append(MAX_INDEXES).append(" of ").append(byIndex.size())
                        .append(" indexes.</p>\n");
            }
            out.append("</details>\n");
        }
        out.append("<p class=\"how\">A point is one ok image: x is its place among its group's rows in table order (the"
                + " order the group wrote them; failed rows keep their place but are not drawn), y its"
                + " <code>total_ms</code>. The first images of a group show the warm-up; points far above the line are"
                + " stragglers.</p>\n");
    }

    private void failed(int maxFailed) {
        out.append("<h2 id=\"failed\">Failed renders</h2>\n");
        long failed = runs.stream().mapToLong(RunFigures::failed).sum();
        if (failed == 0) {
            out.append("<p>None.</p>\n");
            return;
        }
        for (int i = 0; i < runs.size(); i++) {
            RunFigures r = runs.get(i);
            if (r.failed() == 0) {
                continue;
            }
            out.append("<h3>").append(Html.escape(r.label())).append(": ").append(Html.count(r.failed()))
                    .append(r.failed() == 1 ? " failed row" : " failed rows");
            if (r.failed() > r.failedShown().size()) {
                out.append(", the first ").append(Html.count(r.failedShown().size())).append(" listed");
            }
            out.append("</h3>\n");
            if (r.failedShown().isEmpty()) {
                continue;
            }
            out.append("<table>\n<tr><th>prompt_id</th><th>Group</th><th>Host</th><th>Attempt</th><th>error</th></tr>\n");
            for (FailedRow f : r.failedShown()) {
                out.append("<tr><td>").append(Html.escape(f.promptId())).append("</td>")
                        .append(num(Integer.toString(f.group()))).append("<td>").append(Html.escape(f.host()))
                        .append("</td>").append(num(Integer.toString(f.attempt()))).append("<td class=\"err\">")
                        .append(Html.escape(f.error())).append("</td></tr>\n");
            }
            out.append("</table>\n");
        }
        if (maxFailed == 0) {
            out.append("<p class=\"how\">Listing failed rows is off (--max-failed 0).</p>\n");
        }
    }

    private void how() {
        out.append("<h2 id=\"how\">Sources</h2>\n<p class=\"how\">Each run is one result table (Parquet, or"
                + " <code>render-group</code>'s JSON lines), labelled by its folder or file name unless"
                + " <code>--label</code> named it. Times are the table's milliseconds; docs/report.md says how each"
                + " figure is computed.</p>\n");
    }

    private void figure(Set<String> charts, String file, String alt, String none) {
        if (charts.contains(file)) {
            out.append("<p><img src=\"").append(file).append("\" width=\"").append(ChartCanvas.WIDTH)
                    .append("\" height=\"").append(ChartCanvas.HEIGHT).append("\" alt=\"").append(Html.escape(alt))
                    .append("\"></p>\n");
        } else {
            out.append("<p class=\"empty\">").append(Html.escape(noFigures != null ? noFigures + "." : none))
                    .append("</p>\n");
        }
    }

    private String runCell(int i) {
        return "<td><span class=\"swatch\" style=\"background:" + RunColours.hex(i) + "\"></span>"
                + Html.escape(runs.get(i).label()) + "</td>";
    }

    private static String num(String text) {
        return "<td class=\"n\">" + text + "</td>";
    }

    private static String plans(Map<String, Integer> plans) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Integer> e : plans.entrySet()) {
            if (sb.length() > 0) {
                sb.append("<br>");
            }
            sb.append(Html.escape(e.getKey())).append(" (").append(e.getValue()).append(")");
        }
        return sb.toString();
    }
}
