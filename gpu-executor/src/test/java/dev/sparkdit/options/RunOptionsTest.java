package dev.sparkdit.options;

import dev.sparkdit.cuda.CudaOptions;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.usp.SequenceOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Run options from a configuration map: defaults, values, round trips, and errors that name key and value. */
class RunOptionsTest {
    @Test
    void defaultsAreTheMeasuredBest() {
        RunOptions d = RunOptions.DEFAULTS;
        assertEquals("auto", d.backend());
        assertEquals(null, d.dtype());
        assertEquals(DType.BF16, d.dtypeOn("cuda"));
        assertEquals(DType.F32, d.dtypeOn("cpu"));
        assertEquals(SequenceOptions.DEFAULTS, d.sequence());
        assertEquals("v11", d.cuda().attentionVariant());
        assertEquals(8, d.cuda().gemmCandidates());
        assertEquals(5, d.cuda().gemmTuneReps());
        assertEquals(Duration.ofSeconds(300), d.collectiveTimeout());
    }

    @Test
    void everyKeyIsReadAndRoundTrips() {
        RunOptions o = RunOptions.from(Map.of("sparkdit.backend", "cpu", "sparkdit.dtype", "bf16",
                "sparkdit.fp8.gemm", "on", "sparkdit.ulysses.chunks", "3", "sparkdit.gemm.candidates", "32",
                "sparkdit.gemm.tune-reps", "1000", "sparkdit.attention.variant", "v2", "sparkdit.cuda.side-stream", "off",
                "spark.app.name", "ignored: not a sparkdit key"));
        assertEquals("cpu", o.backend());
        assertEquals(DType.BF16, o.dtype());
        assertTrue(o.fp8Gemm());
        assertEquals(3, o.sequence().ulyssesChunks());
        assertEquals(new CudaOptions("v2", true, false, true, 32, 1000, true), o.cuda());
        assertEquals(o, RunOptions.from(o.toMap()));
    }

    @Test
    void badValuesAndUnknownKeysAreNamed() {
        for (String[] bad : new String[][] {{"sparkdit.gemm.candidates", "0"}, {"sparkdit.gemm.candidates", "65"},
                {"sparkdit.gemm.tune-reps", "1001"}, {"sparkdit.gemm.tune-reps", "x"},
                {"sparkdit.attention.variant", "v8"}, {"sparkdit.dtype", "f16"}, {"sparkdit.backend", "tpu"},
                {"sparkdit.fp8.gemm", "maybe"}, {"sparkdit.collective.timeout-seconds", "0"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RunOptions.from(Map.of(bad[0], bad[1])));
            assertTrue(e.getMessage().contains(bad[0]) && e.getMessage().contains(bad[1]), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunOptions.from(Map.of("sparkdit.gemm.candidate", "4")));
        assertTrue(e.getMessage().contains("unknown option sparkdit.gemm.candidate")
                && e.getMessage().contains("sparkdit.gemm.candidates"), e.getMessage());
    }
}
