package dev.sparkdit.job.spark;

import dev.sparkdit.config.Setting;
import dev.sparkdit.options.RunOptions;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the job takes from the Spark configuration: every run option (docs/options.md, RunOptions.SETTINGS) as
 * spark.sparkdit.KEY, flags on top; and the master, where none or local[auto] is local mode with a slot per task.
 */
class SparkConfigurationTest {
    /** A value other than the default for every run option; a new option must be added here. */
    static final Map<String, String> NOT_DEFAULT = Map.ofEntries(
            entry("sparkdit.backend", "cpu"),
            entry("sparkdit.dtype", "bf16"),
            entry("sparkdit.fp8.comm", "on"),
            entry("sparkdit.fp8.gemm", "on"),
            entry("sparkdit.collective.timeout-seconds", "17"),
            entry("sparkdit.ulysses.chunks", "3"),
            entry("sparkdit.ulysses.peer-window", "off"),
            entry("sparkdit.ulysses.replica-split", "off"),
            entry("sparkdit.ulysses.direct-back", "off"),
            entry("sparkdit.attention.variant", "v2"),
            entry("sparkdit.attention.split-tail", "off"),
            entry("sparkdit.cuda.side-stream", "off"),
            entry("sparkdit.gemm.tune", "off"),
            entry("sparkdit.gemm.candidates", "4"),
            entry("sparkdit.gemm.tune-reps", "2"),
            entry("sparkdit.gemm.fp8-fast-accum", "off"));

    @Test
    void everyRunOptionCanBeSetAsSparkSparkditKey() {
        assertEquals(RunOptions.SETTINGS.stream().map(Setting::key).collect(Collectors.toSet()), NOT_DEFAULT.keySet(),
                "every run option (RunOptions.SETTINGS) needs a value here");
        SparkConf conf = new SparkConf(false);
        NOT_DEFAULT.forEach((k, v) -> conf.set("spark." + k, v));
        Map<String, String> got = SparkDitJob.options(conf, Map.of(), false).toMap();
        Map<String, String> defaults = RunOptions.DEFAULTS.toMap();
        for (Setting<?> s : RunOptions.SETTINGS) {
            String want = normalized(s, NOT_DEFAULT.get(s.key()));
            assertEquals(want, lower(got.get(s.key())), "spark." + s.key() + "=" + NOT_DEFAULT.get(s.key()));
            assertNotEquals(defaults.get(s.key()), want, s.key() + ": pick a value other than the default");
        }
    }

    @Test
    void aFlagWinsOverTheSparkConfigurationAndAnUnknownKeyIsAnError() {
        SparkConf conf = new SparkConf(false).set("spark.sparkdit.gemm.candidates", "4")
                .set("spark.sparkdit.backend", "cpu").set("spark.other.setting", "x");
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("sparkdit.gemm.candidates", "6");
        RunOptions o = SparkDitJob.options(conf, flags, false);
        assertEquals("6", o.toMap().get("sparkdit.gemm.candidates"));
        assertEquals("cpu", o.backend());

        SparkConf typo = new SparkConf(false).set("spark.sparkdit.gemm.candidate", "4");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkDitJob.options(typo, Map.of(), false));
        assertTrue(e.getMessage().contains("sparkdit.gemm.candidate"), e.getMessage());
    }

    @Test
    void noMasterOrLocalAutoIsOneSlotPerTaskWhateverTheCores() {
        assertEquals("local[4,4]", SparkDitJob.master(null, 4));
        assertEquals("local[16,4]", SparkDitJob.master("", 16));
        assertEquals("local[8,4]", SparkDitJob.master("local[auto]", 8));
        assertEquals("local[8,4]", SparkDitJob.master(" local[ auto ] ", 8));
        assertEquals("local[2]", SparkDitJob.master("local[2]", 8), "a named master is kept (requireSlots judges it)");
        assertEquals("spark://h:7077", SparkDitJob.master("spark://h:7077", 8));
        assertThrows(IllegalArgumentException.class, () -> SparkDitJob.requireSlots("local[2]", 4));
        SparkDitJob.requireSlots(SparkDitJob.master("local[auto]", 64), 64);
    }

    @SuppressWarnings("unchecked")
    private static <T> String normalized(Setting<T> s, String value) {
        return lower(s.format(s.parser().apply(value)));
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(java.util.Locale.ROOT);
    }
}
