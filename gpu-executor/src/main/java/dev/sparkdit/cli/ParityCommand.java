package dev.sparkdit.cli;

import dev.sparkdit.backend.Backends;
import dev.sparkdit.json.Json;
import dev.sparkdit.options.RunOptions;
import dev.sparkdit.parity.ParityCases;
import dev.sparkdit.parity.ParityCase;
import dev.sparkdit.parity.ParityOptions;
import dev.sparkdit.parity.ParityResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code sparkdit parity}: runs case folders and reports each output's error against the reference. */
@Command(name = "parity", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run reference case folders (config.json, io.safetensors and, for a module, weights.safetensors,"
                + " as the golden cases in gpu-executor/src/test/resources/golden/) and print each output's error:"
                + " FLUX transformer, T5, CLIP, VAE, scheduler, tokenizers (error = differing ids), pipeline from"
                + " embeddings, pipeline from text (a model/ folder). The kind is recognised from the files.",
                "Exit status: 0 all within tolerance, 1 an error exceeds it, 2 bad usage or a bad case."})
public final class ParityCommand implements CliCommand {
    @Spec
    CommandSpec spec;

    @Option(names = "--case", paramLabel = "DIR", required = true, description = "a case folder; repeatable")
    List<Path> cases;

    @Option(names = "--tol", paramLabel = "X", description = "relative L2 bound (default: 1e-5 cpu f32, 1e-4 cuda f32,"
            + " 2e-2 bf16 or --fp8, 1e-1 --fp8-gemm)")
    Double tolerance;

    @Option(names = "--json", description = "one JSON object per output line instead of a table")
    boolean json;

    @Option(names = "--processes", description = "ranks 1..N-1 as child JVMs joined over a TCP rendezvous on"
            + " 127.0.0.1 (default: threads of this JVM)")
    boolean processes;

    @Mixin
    ParallelMixin parallel;

    @Mixin
    RunOptionsMixin run;

    @Override
    public Integer call() throws Exception {
        ParallelMixin.Layout layout = parallel.layout();
        if (tolerance != null && !(tolerance > 0)) {
            throw new UsageException("--tol must be a positive number, got " + tolerance);
        }
        if (processes && layout.ranks() == 1) {
            throw new UsageException("--processes needs --ranks > 1");
        }
        List<ParityCase> opened = new ArrayList<>();
        boolean device = false;
        for (Path dir : cases) {
            ParityCase c = ParityCase.open(dir);
            String kind = ParityCases.kind(c);
            if (kind == null) {
                throw new UsageException("case " + dir + ": config.json is none of the case kinds parity knows (FLUX"
                        + " transformer, T5, CLIP, VAE, scheduler, tokenizers, pipeline, pipeline from text)");
            }
            if (layout.ranks() > 1 && !ParityCases.shards(kind)) {
                throw new UsageException("case " + dir + " (" + kind + ") runs on one device; --ranks applies to FLUX"
                        + " transformer and pipeline cases");
            }
            device |= !ParityCases.hostOnly(kind);
            opened.add(c);
        }
        ParityOptions opt = options(layout, device);
        List<ParityResult> results = new ArrayList<>();
        for (ParityCase c : opened) {
            results.addAll(ParityCases.run(c, opt));
        }
        print(results, json, spec.commandLine().getOut());
        return results.stream().allMatch(ParityResult::passed) ? 0 : 1;
    }

    private ParityOptions options(ParallelMixin.Layout layout, boolean device) {
        RunOptions options = run.options();
        // Resolve auto here, so that the tolerance and the report name the backend that ran; host-only cases
        // (scheduler, tokenizers) need none, and run where no backend can.
        if (device) {
            options = options.withBackend(Backends.choose(options.backend()).name());
        }
        if (options.dtype() == null) {
            options = options.withDtype(dev.sparkdit.tensor.DType.F32);
        }
        if (options.fp8Gemm() && options.backend().equals("cuda") && options.dtype() != dev.sparkdit.tensor.DType.BF16) {
            throw new UsageException("--fp8-gemm on cuda needs --dtype bf16 (its GEMMs write bf16), got "
                    + options.dtype().name().toLowerCase(Locale.ROOT));
        }
        return new ParityOptions(options, tolerance == null ? Double.NaN : tolerance, layout.ranks(),
                layout.ulysses(), layout.ring(), processes);
    }

    static void print(List<ParityResult> results, boolean json, PrintWriter out) {
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
            out.flush();
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
        out.flush();
    }

    private static Object finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
