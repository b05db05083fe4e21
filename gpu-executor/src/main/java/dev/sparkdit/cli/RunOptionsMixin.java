package dev.sparkdit.cli;

import dev.sparkdit.options.RunOptions;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run options every compute command takes: the common ones as flags, every other one as
 * {@code --conf sparkdit.KEY=VALUE} (docs/options.md lists them all). A flag wins over the same key in --conf.
 */
public final class RunOptionsMixin {
    @Option(names = "--backend", paramLabel = "auto|cpu|cuda",
            description = "compute backend (default: auto = cuda where a GPU and its driver are found, else cpu)")
    String backend;

    @Option(names = "--dtype", paramLabel = "f32|bf16",
            description = "weights and activations (default: bf16 on cuda, f32 on cpu)")
    String dtype;

    @Option(names = {"--fp8", "--fp8-comm"}, description = "FP8 (e4m3) Ulysses all-to-all (default: off)")
    boolean fp8Communication;

    @Option(names = "--fp8-gemm", description = "the transformer blocks' linears on FP8 (e4m3) weights and activations,"
            + " one scale per weight row and per token (cuda: bf16 only; default: off)")
    boolean fp8Gemm;

    @Option(names = "--conf", paramLabel = "sparkdit.KEY=VALUE",
            description = "any other run option (docs/options.md); repeatable")
    List<String> conf = List.of();

    /** The options these flags and --conf entries give; a bad key or value throws naming it. */
    public RunOptions options() {
        try {
            return RunOptions.from(given());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** Only what the command line set, as {@code sparkdit.*} keys (the Spark job lays it over its configuration). */
    public Map<String, String> given() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String c : conf) {
            int eq = c.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--conf takes KEY=VALUE, got '" + c + "'");
            }
            m.put(c.substring(0, eq).trim(), c.substring(eq + 1));
        }
        if (backend != null) {
            m.put(RunOptions.BACKEND.key(), backend);
        }
        if (dtype != null) {
            m.put(RunOptions.DTYPE.key(), dtype);
        }
        if (fp8Communication) {
            m.put(RunOptions.FP8_COMM.key(), "on");
        }
        if (fp8Gemm) {
            m.put(RunOptions.FP8_GEMM.key(), "on");
        }
        return m;
    }
}
