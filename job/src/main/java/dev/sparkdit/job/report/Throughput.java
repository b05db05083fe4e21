package dev.sparkdit.job.report;

/**
 * A run's rendering rate, from durations only (result rows carry no start or end time). Groups render
 * concurrently and each group renders its requests one after another, so:
 * <pre>
 *   busy(g)        = sum of total_ms over group g's rows (ok and failed, every attempt)
 *   wall           = max over groups of busy(g)            (the busiest group ends the run)
 *   images/hour    = ok images * 3,600,000 / wall
 *   if balanced    = ok images * 3,600,000 * groups / (sum over groups of busy(g))
 * </pre>
 * Model loading ({@code load_ms}), Spark scheduling and the time before the first group starts are not in
 * {@code wall}; where a group's image writes overlap its next render, {@code busy(g)} counts that overlap twice,
 * so {@code wall} errs long and images/hour short.
 *
 * @param groups        number of distinct {@code group} values
 * @param busiestGroup  the group whose busy time is {@code wallMs} (-1 when there are no rows)
 * @param wallMs        the busiest group's busy time
 * @param busySumMs     the sum of every group's busy time
 * @param okImages      rows with status ok
 * @param imagesPerHour ok images per hour of {@code wallMs}; NaN when {@code wallMs} is 0
 * @param balancedImagesPerHour ok images per hour of the groups' mean busy time; NaN when that is 0
 */
public record Throughput(int groups, int busiestGroup, double wallMs, double busySumMs, long okImages,
                         double imagesPerHour, double balancedImagesPerHour) {

    static final double MS_PER_HOUR = 3_600_000.0;

    static Throughput of(long okImages, int[] groups, double[] busyMs) {
        int busiest = -1;
        double wall = 0;
        double sum = 0;
        for (int i = 0; i < groups.length; i++) {
            sum += busyMs[i];
            if (busiest < 0 || busyMs[i] > wall) {
                busiest = groups[i];
                wall = busyMs[i];
            }
        }
        double rate = wall > 0 ? okImages * MS_PER_HOUR / wall : Double.NaN;
        double balanced = sum > 0 ? okImages * MS_PER_HOUR * groups.length / sum : Double.NaN;
        return new Throughput(groups.length, busiest, wall, sum, okImages, rate, balanced);
    }
}
