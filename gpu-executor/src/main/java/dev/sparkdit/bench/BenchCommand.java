package dev.sparkdit.bench;

import dev.sparkdit.cli.Args;
import dev.sparkdit.cli.Command;
import dev.sparkdit.cli.UsageException;
import dev.sparkdit.cuda.CublasLtLinear;
import dev.sparkdit.cuda.CudaBackend;
import dev.sparkdit.cuda.CudaEvent;
import dev.sparkdit.cuda.StepGraphs;
import dev.sparkdit.cuda.CudaOps;
import dev.sparkdit.cuda.FillRandom;
import dev.sparkdit.json.Json;
import dev.sparkdit.models.flux.FluxConfig;
import dev.sparkdit.models.flux.FluxFlops;
import dev.sparkdit.models.flux.FluxRope;
import dev.sparkdit.models.flux.FluxTransformer;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;
import dev.sparkdit.runner.SequenceParallelGroup;
import dev.sparkdit.usp.Fp8Communication;
import dev.sparkdit.usp.LocalAttention;
import dev.sparkdit.usp.ParallelPlan;
import dev.sparkdit.usp.SequenceAttention;
import dev.sparkdit.usp.SequenceSplit;
import java.time.Duration;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code sparkdit bench}: one GPU, a FLUX transformer of the given size with seeded random weights,
 * ms per denoising step (one forward), median over repeated steps after warm-up, timed with device
 * events, eager and replayed from a CUDA graph, with memory, achieved TFLOP/s and where the time goes.
 */
public final class BenchCommand implements Command {
    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "time FLUX denoising steps on one GPU (random weights): eager and CUDA graph";
    }

    @Override
    public String usage() {
        return """
                usage: sparkdit bench [--preset dev|schnell] [--res PIXELS] [--txt N] [--dtype bf16|f32]
                                      [--steps N] [--warmup N] [--graphs both|on|off] [--no-breakdown]
                                      [--layers N] [--single-layers N] [--device I] [--json]
                                      [--ranks N --ulysses U --ring R [--fp8]] [--fp8-gemm]

                  --res      square image side in pixels (default 1024: 64x64 latents = 4096 tokens)
                  --txt      text tokens (default 512)
                  --steps    timed steps (default 10), after --warmup steps (default 3)
                  --graphs   time eager launches, CUDA-graph replay, or both (default both)
                  --layers / --single-layers   override the block counts (smaller smoke runs)
                  --ranks N  spread one image's sequence over N GPUs (rank i on GPU i, ranks as threads,
                             NCCL), --ulysses U x --ring R = N; --fp8 quantizes the Ulysses all-to-all
                             (slower on NVLink: it replaces the peer-window exchange)
                  --fp8-gemm the transformer blocks' linears on FP8 (e4m3) operands; the output's error
                             against a bf16-GEMM step of the same weights and inputs is reported
                             (fp8_gemm_rel_l2: rank 0's image rows)
                Prints a table; --json prints one JSON object per mode instead.""";
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        Args a = Args.parse(argv, Set.of("--preset", "--res", "--txt", "--dtype", "--steps", "--warmup", "--graphs",
                "--layers", "--single-layers", "--device", "--ranks", "--ulysses", "--ring"),
                Set.of("--json", "--no-breakdown", "--fp8", "--fp8-gemm"));
        FluxConfig p = FluxConfig.preset(a.get("--preset", "dev"));
        FluxConfig cfg = new FluxConfig(p.inChannels(), p.outChannels(), a.intValue("--layers", p.numLayers()),
                a.intValue("--single-layers", p.numSingleLayers()), p.attentionHeadDim(), p.numAttentionHeads(),
                p.jointAttentionDim(), p.pooledProjectionDim(), p.guidanceEmbeds(), p.axesDimsRope());
        int res = a.intValue("--res", 1024);
        if (res <= 0 || res % 16 != 0) {
            throw new UsageException("--res must be a positive multiple of 16 (8x VAE, 2x2 packing), got " + res);
        }
        int txt = a.intValue("--txt", 512);
        int steps = a.intValue("--steps", 10);
        int warmup = a.intValue("--warmup", 3);
        if (txt <= 0 || steps <= 0 || warmup < 0) {
            throw new UsageException("--txt and --steps must be > 0 and --warmup >= 0");
        }
        String graphs = a.get("--graphs", "both");
        if (!List.of("both", "on", "off").contains(graphs)) {
            throw new UsageException("--graphs must be both, on or off, got '" + graphs + "'");
        }
        DType dt = DType.parse(a.get("--dtype", "bf16"));
        int grid = res / 16;
        int img = grid * grid;
        long tokens = (long) img + txt;

        int ranks = a.intValue("--ranks", 1);
        int ulysses = a.intValue("--ulysses", a.get("--ring", null) == null ? ranks : 1);
        int ring = a.intValue("--ring", Math.max(1, ranks / Math.max(1, ulysses)));
        if (ranks < 1 || ulysses < 1 || ring < 1 || ulysses * ring != ranks) {
            throw new UsageException("--ulysses " + ulysses + " x --ring " + ring + " must equal --ranks " + ranks);
        }
        boolean fp8 = a.flag("--fp8");
        boolean fp8Gemm = a.flag("--fp8-gemm");
        if (fp8Gemm && dt != DType.BF16) {
            throw new UsageException("--fp8-gemm needs --dtype bf16 (its GEMMs write bf16), got " + dt);
        }
        Settings set = new Settings(cfg, dt, steps, warmup, graphs, !a.flag("--no-breakdown"),
                FluxFlops.perStep(cfg, txt, img), (ranks == 1 ? "1 gpu" : "ulysses " + ulysses + " x ring " + ring
                + (fp8 ? " fp8" : "")) + (fp8Gemm ? ", fp8 gemm" : ""), fp8Gemm);
        List<Map<String, Object>> rows;
        if (ranks == 1) {
            long scratch = FluxTransformer.scratchBytes(cfg, tokens, dt);
            try (CudaBackend backend = new CudaBackend(a.intValue("--device", 0), scratch)) {
                err.printf("bench: %s, %s, %d image + %d text tokens, %s; making random weights (%.1f GiB)%n",
                        backend.cudaOps().cudaDevice(), cfg, img, txt, dt,
                        FluxTransformer.weightBytes(cfg, dt) / (double) (1L << 30));
                rows = runRank(backend, LocalAttention.INSTANCE, set, grid, 0, txt, 0, img, true);
            }
        } else {
            ParallelPlan plan = ParallelPlan.of(ranks, ulysses, ring, ranks);
            SequenceSplit txtSplit = SequenceSplit.of(txt, ranks);
            SequenceSplit imgSplit = SequenceSplit.of(img, ranks);
            int[] lengths = SequenceSplit.localLengths(txtSplit, imgSplit);
            long local = txtSplit.paddedLength() + imgSplit.paddedLength();
            long scratch = FluxTransformer.scratchBytes(cfg, local, dt) + 16L * (tokens + 2L * ranks) * cfg.dim() * 4;
            err.printf("bench: %s over %d GPUs, %s, %d image + %d text tokens, %s%n", set.label, ranks, cfg, img, txt, dt);
            List<List<Map<String, Object>>> all = SequenceParallelGroup.run(plan, "cuda", scratch, lengths,
                    Fp8Communication.of(fp8), Duration.ofSeconds(300), (me, backend, attention) -> {
                        int sq = me.sequenceIndex(ulysses);
                        return runRank((CudaBackend) backend, attention, set, grid, txtSplit.start(sq),
                                txtSplit.length(sq), imgSplit.start(sq), imgSplit.length(sq), me.rank() == 0);
                    });
            rows = all.get(0);
        }
        print(rows, a.flag("--json"), out);
        return rows.stream().allMatch(r -> Long.valueOf(0).equals(r.get("output_non_finite"))) ? 0 : 1;
    }

    /** What every rank of a benchmark run needs to know. */
    private record Settings(FluxConfig cfg, DType dt, int steps, int warmup, String graphs, boolean breakdown,
                            FluxFlops flops, String label, boolean fp8Gemm) {
    }

    /**
     * One rank's benchmark: random weights, its share of the tokens, warm-up, eager steps and graph
     * replays timed with device events. Every rank runs the same steps (collectives pair them); the
     * reporter's rows are the run's result.
     */
    private static List<Map<String, Object>> runRank(CudaBackend backend, SequenceAttention attention, Settings set,
                                                     int grid, int txtStart, int txtLen, int imgStart, int imgLen,
                                                     boolean reporter) {
        FluxConfig cfg = set.cfg;
        DType dt = set.dt;
        CudaOps ops = backend.cudaOps();
        Arena weights = backend.reserve("weights", FluxTransformer.weightBytes(cfg, dt));
        FillRandom random = new FillRandom(ops.kernels(), ops.stream());
        FluxTransformer model = FluxTransformer.random(cfg, weights, dt, random::run, 1234);
        long tokens = (long) txtLen + imgLen;
        Arena io = backend.reserve("io", Arena.alignUp((long) imgLen * (cfg.inChannels() + cfg.outChannels()) * dt.bytes())
                + Arena.alignUp((long) txtLen * cfg.jointAttentionDim() * dt.bytes())
                + 2 * Arena.alignUp(tokens * cfg.attentionHeadDim() * 4) + 16 * Arena.ALIGNMENT
                + Arena.alignUp((long) cfg.pooledProjectionDim() * dt.bytes()));
        Step step = Step.make(ops, io, cfg, model, random, dt, grid, txtStart, txtLen, imgStart, imgLen, attention);
        ops.synchronize();
        float[] bf16Out = null;
        if (set.fp8Gemm) {
            // The same step with bf16 GEMMs first: the reference the FP8 output's error is measured against.
            step.run(ops);
            bf16Out = ops.toFloatArray(step.out);
            model.useFp8Gemms(ops, backend.reserve("fp8 weights", model.fp8WeightBytes()), true);
            ops.synchronize();
        }
        for (int i = 0; i < set.warmup; i++) {
            step.run(ops);
        }
        ops.synchronize();
        Map<String, Double> breakdown = set.breakdown ? breakdown(ops, step) : null;
        List<Map<String, Object>> rows = new ArrayList<>();
        if (!set.graphs.equals("on")) {
            double[] ms = timeSteps(ops, set.steps, () -> step.run(ops));
            rows.add(row("eager", set, ms, usedBytes(ops), ops));
        }
        if (!set.graphs.equals("off")) {
            StepGraphs.Key key = new StepGraphs.Key(txtLen, imgLen, dt.name(), set.label);
            try (StepGraphs graphs = new StepGraphs(ops.stream())) {
                for (int i = 0; i < Math.max(1, set.warmup); i++) { // the first run captures
                    graphs.run(key, () -> step.run(ops));
                }
                double[] ms = timeSteps(ops, set.steps, () -> graphs.run(key, () -> step.run(ops)));
                rows.add(row("cuda-graph", set, ms, usedBytes(ops), ops));
            }
        }
        float[] result = ops.toFloatArray(step.out);
        long nonFinite = 0;
        for (float f : result) {
            if (!Float.isFinite(f)) {
                nonFinite++;
            }
        }
        CublasLtLinear.Tuning tuning = ops.gemmTuning();
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("shapes", tuning.shapes());
        t.put("changed", tuning.changed());
        t.put("first_ms", Math.round(tuning.firstMs() * 1000) / 1000.0);
        t.put("chosen_ms", Math.round(tuning.bestMs() * 1000) / 1000.0);
        Double fp8Error = bf16Out == null ? null : dev.sparkdit.parity.ErrorStats.of(result, bf16Out).relL2();
        for (Map<String, Object> r : rows) {
            r.put("output_non_finite", nonFinite);
            if (fp8Error != null) {
                r.put("fp8_gemm_rel_l2", fp8Error);
            }
            r.put("gemm_tuning", t);
            if (breakdown != null) {
                r.put("breakdown_ms", breakdown);
            }
        }
        return reporter ? rows : List.of();
    }

    private static long usedBytes(CudaOps ops) {
        return ops.cudaDevice().totalMemory() - ops.cudaDevice().freeMemory();
    }

    /** The inputs of one step, on the device, and the call that runs it. */
    private record Step(FluxTransformer model, SequenceAttention attention, Tensor out, Tensor hidden,
                        Tensor encoder, Tensor pooled, Tensor timestep, Tensor guidance, Tensor cos, Tensor sin) {
        static Step make(Ops ops, Arena io, FluxConfig cfg, FluxTransformer model, FillRandom random, DType dt,
                         int grid, int txtStart, int txt, int imgStart, int img, SequenceAttention attention) {
            Tensor hidden = io.allocate(dt, img, cfg.inChannels());
            Tensor encoder = io.allocate(dt, txt, cfg.jointAttentionDim());
            Tensor pooled = io.allocate(dt, cfg.pooledProjectionDim());
            // Scalars stay fp32 (see FluxParity): a bf16 t would scramble the sinusoids.
            Tensor timestep = io.allocate(DType.F32, 1);
            Tensor guidance = io.allocate(DType.F32, 1);
            random.run(hidden, 1, 0f, 1.7f);
            random.run(encoder, 2, 0f, 1.7f);
            random.run(pooled, 3, 0f, 1.7f);
            random.run(timestep, 4, 0.5f, 0f);
            random.run(guidance, 5, 3.5f, 0f);
            // Text positions are 0; image token i of the full grid sits at (i / grid, i % grid).
            float[] ids = new float[(txt + img) * 3];
            for (int i = 0; i < img; i++) {
                ids[(txt + i) * 3 + 1] = (imgStart + i) / grid;
                ids[(txt + i) * 3 + 2] = (imgStart + i) % grid;
            }
            FluxRope.Tables rope = FluxRope.upload(ops, io, cfg.axesDimsRope(), ids, txt + img);
            Tensor out = io.allocate(dt, img, cfg.outChannels());
            return new Step(model, attention, out, hidden, encoder, pooled, timestep, guidance, rope.cos(),
                    rope.sin());
        }

        void run(Ops ops) {
            model.forward(ops, attention, out, hidden, encoder, pooled, timestep,
                    model.config().guidanceEmbeds() ? guidance : null, cos, sin);
        }
    }

    private static double[] timeSteps(CudaOps ops, int steps, Runnable step) {
        double[] ms = new double[steps];
        try (CudaEvent start = new CudaEvent(); CudaEvent end = new CudaEvent()) {
            for (int i = 0; i < steps; i++) {
                start.record(ops.stream());
                step.run();
                end.record(ops.stream());
                end.synchronize();
                ms[i] = end.elapsedMs(start);
            }
        }
        return ms;
    }

    /**
     * Mean ms per step of each op kind, over 3 eager steps with events around every op, plus the step
     * itself and what lies between the ops: on one GPU launch gaps, with ranks also the collectives
     * (all-to-all, ring transfers awaited) that do not go through {@code Ops}.
     */
    private static Map<String, Double> breakdown(CudaOps ops, Step step) {
        TimedOps timed = new TimedOps(ops, ops.stream());
        Map<String, Double> sum = new LinkedHashMap<>();
        int reps = 3;
        double stepMs = 0;
        try (CudaEvent start = new CudaEvent(); CudaEvent end = new CudaEvent()) {
            for (int i = 0; i < reps; i++) {
                start.record(ops.stream());
                step.run(timed);
                end.record(ops.stream());
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

    private static Map<String, Object> row(String mode, Settings set, double[] ms, long usedBytes, CudaOps ops) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mode", mode);
        r.put("parallel", set.label);
        r.put("gpu", ops.cudaDevice().name());
        r.put("dtype", set.dt.name().toLowerCase(Locale.ROOT));
        r.put("layers", (long) set.cfg.numLayers());
        r.put("single_layers", (long) set.cfg.numSingleLayers());
        r.put("steps", (long) ms.length);
        r.put("ms_median", round(median));
        r.put("ms_min", round(sorted[0]));
        r.put("ms_max", round(sorted[sorted.length - 1]));
        r.put("tflops", round(set.flops.total() / (median * 1e-3) / 1e12));
        r.put("tflop_per_step", round(set.flops.total() / 1e12));
        r.put("gpu_mem_gib", round(usedBytes / (double) (1L << 30)));
        return r;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static void print(List<Map<String, Object>> rows, boolean json, PrintStream out) {
        if (json) {
            for (Map<String, Object> r : rows) {
                out.println("RESULT " + Json.write(r));
            }
            return;
        }
        String fmt = "%-11s %-24s %-22s %-6s %-10s %-10s %-10s %-9s %-9s%n";
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
    }
}
