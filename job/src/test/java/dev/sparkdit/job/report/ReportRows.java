package dev.sparkdit.job.report;

import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.datasets.ResultStatus;

import java.util.ArrayList;
import java.util.List;

/** Result rows for the report's tests: the times that matter set, the rest plausible. */
final class ReportRows {

    private ReportRows() {
    }

    /**
     * An ok 256x256 image of 4 steps; the stages are fixed fractions of {@code totalMs} (tokenize 1%, text encode
     * 4%, denoise 80%, decode 10%, write 5%).
     */
    static ResultRow ok(String id, int group, String host, List<Integer> gpus, String plan, double totalMs,
                        double... stepMs) {
        List<Double> steps = new ArrayList<>();
        for (double s : stepMs) {
            steps.add(s);
        }
        return new ResultRow(id, 7L, "file:/out/" + id + ".png", 256, 256, 4, 3.5, "flux.1-dev", plan, 2000.0,
                totalMs * 0.01, totalMs * 0.04, steps, totalMs * 0.80, totalMs * 0.10, totalMs * 0.05, totalMs, 0, 0,
                host, gpus, group, 0, ResultStatus.OK, null);
    }

    static ResultRow failed(String id, int group, String host, String plan, double totalMs, String error) {
        return new ResultRow(id, 7L, null, 256, 256, 4, 3.5, "flux.1-dev", plan, 0.0, 1.0, 0.0, List.of(5.0), 0.0,
                0.0, 0.0, totalMs, 0, 0, host, List.of(0), group, 1, ResultStatus.FAILED, error);
    }
}
