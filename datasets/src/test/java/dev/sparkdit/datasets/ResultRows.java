package dev.sparkdit.datasets;

import java.util.List;

/** Result rows for tests: one rendered, one failed, with awkward strings. */
public final class ResultRows {

    private ResultRows() {
    }

    public static ResultRow ok() {
        return new ResultRow("sample-0001", 8754116879127236929L,
                "file:/out/images/sample-0001-ab.png", 32, 48, 4, 3.5, "flux.1-dev", "ulysses 2 x ring 1",
                1523.25, 1.5, 20.125, List.of(10.5, 9.75, 9.5, 9.625), 39.375, 4.0, 2.5, 1600.0, 3, 0, "gpu-host-1",
                List.of(0, 1), 0, 0, ResultStatus.OK, null);
    }

    public static ResultRow failed() {
        return new ResultRow("日本 \"quoted\"\n id", -5L, null, 1024, 1024, 28, 0.0, "flux.1-schnell",
                "ulysses 1 x ring 1", 0.0, 0.0, 0.0, List.of(), 0.0, 0.0, 0.0, 12.0, 0, 0, "cpu-box", List.of(), 3, 2,
                ResultStatus.FAILED, "CudaException: cudaMalloc out of memory\n  at line 2");
    }
}
