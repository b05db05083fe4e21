package dev.sparkdit.cli;

import dev.sparkdit.json.Json;
import dev.sparkdit.models.flux.FluxConfig;
import dev.sparkdit.parity.FluxParity;
import dev.sparkdit.parity.ParityCase;
import dev.sparkdit.parity.ParityOptions;
import dev.sparkdit.parity.ParityResult;
import dev.sparkdit.tensor.DType;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code sparkdit parity}: runs case folders and reports each output's error against the reference. */
public final class ParityCommand implements Command {

    @Override
    public String name() {
        return "parity";
    }

    @Override
    public String summary() {
        return "run a reference case folder and report the error of each output";
    }

    @Override
    public String usage() {
        return """
                usage: sparkdit parity --case DIR [--case DIR ...] [--backend cpu|cuda] [--dtype f32|bf16]
                                       [--tol X] [--json] [--ranks N --ulysses U --ring R [--fp8] [--processes]]
                                       [--fp8-gemm]

                  --case DIR     a folder with config.json, weights.safetensors, io.safetensors
                                 (the layout of shared/golden); repeatable
                  --backend      cpu (libtorch, default) or cuda
                  --dtype        f32 (default) or bf16: weights and activations
                  --tol X        relative L2 bound; default 1e-5 (cpu f32), 1e-4 (cuda f32), 2e-2 (bf16),
                                 1e-1 with --fp8-gemm
                  --json         one JSON object per output line instead of a table
                  --ranks N      spread the sequence over N ranks (default 1), with
                  --ulysses U    Ulysses degree and --ring R Ring degree (U x R = N); ranks are threads
                                 (CPU: Gloo over loopback; CUDA: NCCL, rank i on GPU i)
                  --fp8          FP8 (e4m3) Ulysses all-to-all (report its error; default off)
                  --processes    ranks 1..N-1 as child JVMs joined over a TCP rendezvous on 127.0.0.1
                                 (default: threads of this JVM)
                  --fp8-gemm     the transformer blocks' linears on FP8 (e4m3) weights and activations,
                                 one scale per weight row and per token (cuda: bf16 only; default off)

                exit status: 0 all within tolerance, 1 an error exceeds it, 2 bad usage or case""";
    }

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        Args a = Args.parse(argv, Set.of("--case", "--backend", "--dtype", "--tol", "--ranks", "--ulysses", "--ring"),
                Set.of("--json", "--fp8", "--processes", "--fp8-gemm"));
        List<String> cases = a.all("--case");
        if (cases.isEmpty()) {
            throw new UsageException("parity needs at least one --case DIR");
        }
        String backend = a.get("--backend", "cpu").toLowerCase(Locale.ROOT);
        if (!backend.equals("cpu") && !backend.equals("cuda")) {
            throw new UsageException("--backend must be cpu or cuda, got '" + backend + "'");
        }
        DType dtype;
        try {
            dtype = DType.parse(a.get("--dtype", "f32"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--dtype: " + e.getMessage());
        }
        if (dtype != DType.F32 && dtype != DType.BF16) {
            throw new UsageException("--dtype must be f32 or bf16, got '" + a.get("--dtype", "") + "'");
        }
        double tol = a.doubleValue("--tol", Double.NaN);
        if (!Double.isNaN(tol) && !(tol > 0)) {
            throw new UsageException("--tol must be a positive number, got " + a.get("--tol", ""));
        }
        int ranks = a.intValue("--ranks", 1);
        int ulysses = a.intValue("--ulysses", a.get("--ring", null) == null ? ranks : 1);
        int ring = a.intValue("--ring", Math.max(1, ranks / Math.max(1, ulysses)));
        if (ranks < 1 || ulysses < 1 || ring < 1 || ulysses * ring != ranks) {
            throw new UsageException("--ulysses " + ulysses + " x --ring " + ring + " must equal --ranks " + ranks);
        }
        if (a.flag("--processes") && ranks == 1) {
            throw new UsageException("--processes needs --ranks > 1");
        }
        if (a.flag("--fp8-gemm") && backend.equals("cuda") && dtype != DType.BF16) {
            throw new UsageException("--fp8-gemm on cuda needs --dtype bf16 (its GEMMs write bf16), got " + dtype);
        }
        ParityOptions opt = new ParityOptions(backend, dtype, tol, ranks, ulysses, ring, a.flag("--fp8"),
                a.flag("--processes"), a.flag("--fp8-gemm"));

        List<ParityResult> results = new ArrayList<>();
        for (String dir : cases) {
            ParityCase c = ParityCase.open(Path.of(dir));
            if (!FluxConfig.isFluxConfig(c.config())) {
                throw new UsageException("case " + dir + ": config.json does not describe a FLUX transformer"
                        + " (no num_single_layers / joint_attention_dim); parity supports FluxTransformer2DModel cases");
            }
            results.addAll(FluxParity.run(c, opt));
        }
        print(results, a.flag("--json"), out);
        return results.stream().allMatch(ParityResult::passed) ? 0 : 1;
    }

    static void print(List<ParityResult> results, boolean json, PrintStream out) {
        if (json) {
            for (ParityResult r : results) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("case", r.caseName());
                m.put("output", r.output());
                m.put("backend", r.backend());
                m.put("dtype", r.dtype());
                m.put("parallel", r.parallel());
                m.put("rel_l2", finiteOrNull(r.error().relL2()));
                m.put("max_abs", finiteOrNull(r.error().maxAbs()));
                m.put("non_finite", r.error().nonFinite());
                m.put("tol", r.tolerance());
                m.put("pass", r.passed());
                out.println(Json.write(m));
            }
            return;
        }
        String fmt = "%-24s %-10s %-7s %-6s %-12s %-12s %-8s %s%n";
        out.printf(fmt, "case", "output", "backend", "dtype", "rel_l2", "max_abs", "tol", "result");
        for (ParityResult r : results) {
            out.printf(fmt, r.caseName(), r.output(), r.backend(), r.dtype(),
                    String.format(Locale.ROOT, "%.3e", r.error().relL2()),
                    String.format(Locale.ROOT, "%.3e", r.error().maxAbs()),
                    String.format(Locale.ROOT, "%.0e", r.tolerance()),
                    r.passed() ? "PASS" : "FAIL" + (r.error().nonFinite() > 0 ? " (" + r.error().nonFinite()
                            + " non-finite)" : ""));
        }
    }

    private static Object finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
