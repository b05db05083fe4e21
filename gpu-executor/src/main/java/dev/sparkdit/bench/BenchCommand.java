package dev.sparkdit.bench;

import dev.sparkdit.backend.Backends;
import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.backend.DeviceEvent;
import dev.sparkdit.cli.CliCommand;
import dev.sparkdit.cli.ParallelMixin;
import dev.sparkdit.cli.RunOptionsMixin;
import dev.sparkdit.cli.UsageException;
import dev.sparkdit.json.Json;
import dev.sparkdit.models.flux.FluxConfig;
import dev.sparkdit.models.flux.FluxFlops;
import dev.sparkdit.models.flux.FluxTransformer;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.options.RunOptions;
import dev.sparkdit.parity.ErrorStats;
import dev.sparkdit.runner.FluxStep;
import dev.sparkdit.runner.Rank;
import dev.sparkdit.runner.RankGroup;
import dev.sparkdit.runner.TokenShards;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.usp.ParallelPlan;
import dev.sparkdit.usp.comm.InProcessRendezvous;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code sparkdit bench}: a FLUX transformer of the given size with seeded random weights, ms per denoising step
 * (one forward), median over repeated steps after warm-up, timed with device events, eager and replayed from a
 * CUDA graph, with memory, achieved TFLOP/s and where the time goes. Steps run through the runner
 * ({@link RankGroup}, {@link FluxStep}), as parity and rendering do.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time FLUX denoising steps (random weights): eager and CUDA graph, one image's sequence over"
                + " --ranks GPUs (ranks as threads, rank i on GPU i). Prints a table; --json one JSON object per mode"
                + " (lines start with RESULT)."})
public final class BenchCommand implements CliCommand {
    @Spec
    CommandSpec spec;

    @Option(names = "--preset", paramLabel = "dev|schnell", defaultValue = "dev",
            description = "FLUX.1 config (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--res", paramLabel = "PIXELS", defaultValue = "1024",
            description = "square image side (default: ${DEFAULT-VALUE}: 64x64 packed tokens = 4096)")
    int res;

    @Option(names = "--txt", paramLabel = "N", defaultValue = "512", description = "text tokens (default: ${DEFAULT-VALUE})")
    int txt;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "10", description = "timed steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "3",
            description = "untimed steps first (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--graphs", paramLabel = "both|on|off", defaultValue = "both",
            description = "time eager launches, CUDA-graph replay, or both (default: ${DEFAULT-VALUE})")
    String graphs;

    @Option(names = "--no-breakdown", description = "skip the per-op-kind eager breakdown")
    boolean noBreakdown;

    @Option(names = "--layers", paramLabel = "N", description = "double-stream blocks (default: the preset's)")
    Integer layers;

    @Option(names = "--single-layers", paramLabel = "N", description = "single-stream blocks (default: the preset's)")
    Integer singleLayers;

    @Option(names = "--device", paramLabel = "I", defaultValue = "0",
            description = "GPU of a one-rank run (default: ${DEFAULT-VALUE}); ranks run on GPUs 0..N-1")
    int device;

    @Option(names = "--json", description = "one JSON object per mode, prefixed RESULT")
    boolean json;

    @Mixin
    ParallelMixin parallel;

    @Mixin
    RunOptionsMixin run;

    @Override
    public Integer call() throws Exception {
        FluxConfig p;
        try {
            p = FluxConfig.preset(preset);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--preset: " + e.getMessage());
        }
        FluxConfig cfg = new FluxConfig(p.inChannels(), p.outChannels(), layers != null ? layers : p.numLayers(),
                singleLayers != null ? singleLayers : p.numSingleLayers(), p.attentionHeadDim(), p.numAttentionHeads(),
                p.jointAttentionDim(), p.pooledProjectionDim(), p.guidanceEmbeds(), p.axesDimsRope());
        if (res <= 0 || res % 16 != 0) {
            throw new UsageException("--res must be a positive multiple of 16 (8x VAE, 2x2 packing), got " + res);
        }
        if (txt <= 0 || steps <= 0 || warmup < 0) {
            throw new UsageException("--txt and --steps must be > 0 and --warmup >= 0, got " + txt + ", " + steps
                    + ", " + warmup);
        }
        if (!List.of("both", "on", "off").contains(graphs)) {
            throw new UsageException("--graphs must be both, on or off, got '" + graphs + "'");
        }
        ParallelMixin.Layout layout = parallel.layout();
        RunOptions options = run.options();
        // Before anything is sized or printed: a backend that cannot run here says why.
        options = options.withBackend(Backends.choose(options.backend()).name());
        DType dt = options.dtype() != null ? options.dtype() : DType.BF16;
        if (options.fp8Gemm() && dt != DType.BF16) {
            throw new UsageException("--fp8-gemm needs --dtype bf16 (its GEMMs write bf16), got " + dt);
        }
        int grid = res / 16;
        TokenShards shards = TokenShards.of(txt, grid * grid, layout.ranks());
        ParallelPlan plan = ParallelPlan.of(layout.ranks(), layout.ulysses(), layout.ring(), layout.ranks());
        Settings set = new Settings(cfg, dt, grid, shards, steps, warmup, graphs, !noBreakdown,
                FluxFlops.perStep(cfg, txt, (long) grid * grid), (layout.ranks() == 1 ? "1 gpu" : layout.label()
                + (options.fp8Communication() ? " fp8" : "")) + (options.fp8Gemm() ? ", fp8 gemm" : ""),
                options.fp8Gemm());
        long scratch = FluxStep.scratchBytes(cfg, shards, plan, dt);
        spec.commandLine().getErr().printf("bench: %s, %s, %d image + %d text tokens, %s; random weights (%.1f GiB)%n",
                set.label, cfg, grid * grid, txt, dt, FluxTransformer.weightBytes(cfg, dt) / (double) (1L << 30));
        List<Map<String, Object>> rows;
        if (layout.ranks() == 1) {
            rows = RankGroup.runOne(plan, 0, device, options.withDtype(dt), scratch,
                    new InProcessRendezvous(options.collectiveTimeout()), rank -> runRank(rank, set));
        } else {
            rows = RankGroup.runThreads(plan, options.withDtype(dt), scratch, rank -> runRank(rank, set)).get(0);
        }
        print(rows, json, spec.commandLine().getOut());
        return rows.stream().allMatch(r -> Long.valueOf(0).equals(r.get("output_non_finite"))) ? 0 : 1;
    }

    /** What every rank of a benchmark run needs to know. */
    private record Settings(FluxConfig cfg, DType dt, int grid, TokenShards shards, int steps, int warmup,
                            String graphs, boolean breakdown, FluxFlops flops, String label, boolean fp8Gemm) {
    }

    /**
     * One rank's benchmark: random weights, its share of the tokens, warm-up, eager steps and graph replays timed
     * with device events. Every rank runs the same steps (collectives pair them); rank 0's rows are the result.
     */
    private static List<Map<String, Object>> runRank(Rank rank, Settings set) {
        FluxConfig cfg = set.cfg;
        DType dt = set.dt;
        ComputeBackend backend = rank.backend();
        Ops ops = backend.ops();
        FluxTransformer model = FluxTransformer.random(cfg, ops, backend.reserve("weights",
                FluxTransformer.weightBytes(cfg, dt)), dt, 1234);
        Arena io = backend.reserve("step io", FluxStep.ioBytes(cfg, set.shards, dt));
        try (FluxStep step = FluxStep.create(rank, model, dt, set.shards, FluxStep.textIds(set.shards.textTokens()),
                FluxStep.imageIds(set.grid, set.grid), io)) {
            ops.fillUniform(step.hidden(), 1, 0f, 1.7f);
            ops.fillUniform(step.encoder(), 2, 0f, 1.7f);
            ops.fillUniform(step.pooled(), 3, 0f, 1.7f);
            ops.fill(step.timestep(), 0.5f);
            ops.fill(step.guidance(), 3.5f);
            ops.synchronize();
            float[] bf16Out = null;
            if (set.fp8Gemm) {
                // The same step with bf16 GEMMs first: the reference the FP8 output's error is measured against.
                step.run(ops, false);
                bf16Out = ops.toFloatArray(step.out());
                model.useFp8Gemms(ops, backend.reserve("fp8 weights", model.fp8WeightBytes()), true);
                ops.synchronize();
            }
            for (int i = 0; i < set.warmup; i++) {
                step.run(ops, false);
            }
            ops.synchronize();
            Map<String, Double> breakdown = set.breakdown ? breakdown(backend, step) : null;
            List<Map<String, Object>> rows = new ArrayList<>();
            if (!set.graphs.equals("on")) {
                double[] ms = timeSteps(backend, set.steps, () -> step.run(ops, false));
                rows.add(row("eager", set, ms, backend));
            }
            if (!set.graphs.equals("off")) {
                for (int i = 0; i < Math.max(1, set.warmup); i++) { // the first run captures
                    step.run(ops, true);
                }
                double[] ms = timeSteps(backend, set.steps, () -> step.run(ops, true));
                rows.add(row("cuda-graph", set, ms, backend));
            }
            float[] result = ops.toFloatArray(step.out());
            long nonFinite = 0;
            for (float f : result) {
                if (!Float.isFinite(f)) {
                    nonFinite++;
                }
            }
            Double fp8Error = bf16Out == null ? null : ErrorStats.of(result, bf16Out).relL2();
            Map<String, Object> diagnostics = backend.diagnostics();
            for (Map<String, Object> r : rows) {
                r.put("output_non_finite", nonFinite);
                if (fp8Error != null) {
                    r.put("fp8_gemm_rel_l2", fp8Error);
                }
                r.putAll(diagnostics);
                if (breakdown != null) {
                    r.put("breakdown_ms", breakdown);
                }
            }
            return rank.placement().rank() == 0 ? rows : List.of();
        }
    }

    /**
     * Device time of each step, waiting for each on the host (so eager launch time is counted, as a user's
     * loop would see it).
     */
    private static double[] timeSteps(ComputeBackend backend, int steps, Runnable step) {
        double[] ms = new double[steps];
        try (DeviceEvent start = backend.newEvent(); DeviceEvent end = backend.newEvent()) {
            for (int i = 0; i < steps; i++) {
                start.record();
                step.run();
                end.record();
                end.synchronize();
                ms[i] = end.elapsedMs(start);
            }
        }
        return ms;
    }

    /**
     * Mean ms per step of each op kind, over 3 eager steps with events around every op, plus the step itself and
     * what lies between the ops: on one GPU launch gaps, with ranks also the collectives (all-to-all, ring
     * transfers awaited) that do not go through {@code Ops}.
     */
    private static Map<String, Double> breakdown(ComputeBackend backend, FluxStep step) {
        TimedOps timed = new TimedOps(backend.ops(), backend::newEvent);
        Map<String, Double> sum = new LinkedHashMap<>();
        int reps = 3;
        double stepMs = 0;
        try (DeviceEvent start = backend.newEvent(); DeviceEvent end = backend.newEvent()) {
            for (int i = 0; i < reps; i++) {
                start.record();
                step.run(timed, false);
                end.record();
                for (Map.Entry<TimedOps.Kind, Double> e : timed.collect().entrySet()) {
                    sum.merge(e.getKey().name().toLowerCase(Locale.ROOT), e.getValue() / reps, Double::sum);
                }
                end.synchronize();
                stepMs += end.elapsedMs(start) / reps;
            }
        } finally {
            timed.close();
        }
        double opsMs = sum.values().stream().mapToDouble(Double::doubleValue).sum();
        sum.put("between_ops", stepMs - opsMs);
        sum.put("step", stepMs);
        return sum;
    }

    private static Map<String, Object> row(String mode, Settings set, double[] ms, ComputeBackend backend) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mode", mode);
        r.put("parallel", set.label);
        r.put("gpu", backend.deviceName());
        r.put("dtype", set.dt.name().toLowerCase(Locale.ROOT));
        r.put("layers", (long) set.cfg.numLayers());
        r.put("single_layers", (long) set.cfg.numSingleLayers());
        r.put("steps", (long) ms.length);
        r.put("ms_median", round(median));
        r.put("ms_min", round(sorted[0]));
        r.put("ms_max", round(sorted[sorted.length - 1]));
        r.put("tflops", round(set.flops.total() / (median * 1e-3) / 1e12));
        r.put("tflop_per_step", round(set.flops.total() / 1e12));
        r.put("gpu_mem_gib", round(backend.memoryInUse() / (double) (1L << 30)));
        return r;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static void print(List<Map<String, Object>> rows, boolean json, PrintWriter out) {
        if (json) {
            for (Map<String, Object> r : rows) {
                out.println("RESULT " + Json.write(r));
            }
            out.flush();
            return;
        }
        String fmt = "%-11s %-24s %-26s %-6s %-10s %-10s %-10s %-9s %-9s%n";
        out.printf(fmt, "mode", "parallel", "gpu", "dtype", "ms/step", "min", "max", "TFLOP/s", "mem GiB");
        for (Map<String, Object> r : rows) {
            out.printf(fmt, r.get("mode"), r.get("parallel"), r.get("gpu"), r.get("dtype"), r.get("ms_median"),
                    r.get("ms_min"), r.get("ms_max"), r.get("tflops"), r.get("gpu_mem_gib"));
        }
        Object fp8 = rows.isEmpty() ? null : rows.get(0).get("fp8_gemm_rel_l2");
        if (fp8 != null) {
            out.printf(Locale.ROOT, "fp8 gemm: relative L2 error of the output against bf16 GEMMs %.3e%n", (Double) fp8);
        }
        Object b = rows.isEmpty() ? null : rows.get(0).get("breakdown_ms");
        if (b != null) {
            out.println("eager time by op kind (ms per step, device events around each op): " + b);
        }
        out.flush();
    }
}
