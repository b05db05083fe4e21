package dev.sparkdit.job.report;

import java.util.List;

/** The figures' file names beside {@code index.html}, in the page's order. */
final class FigureNames {
    static final String THROUGHPUT = "throughput.png";
    static final String STAGES = "stages.png";
    static final String STEPS_BY_GROUP = "steps-by-group.png";
    static final String STEPS_BY_HOST = "steps-by-host.png";
    static final String TIME_PER_IMAGE = "time-per-image.png";
    static final List<String> ALL = List.of(THROUGHPUT, STAGES, STEPS_BY_GROUP, STEPS_BY_HOST, TIME_PER_IMAGE);

    private FigureNames() {
    }
}
