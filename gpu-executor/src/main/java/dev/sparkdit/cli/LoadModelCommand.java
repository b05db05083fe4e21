package dev.sparkdit.cli;

import dev.sparkdit.backend.Backends;
import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.json.Json;
import dev.sparkdit.models.clip.ClipTextEncoder;
import dev.sparkdit.models.flux.FluxTransformer;
import dev.sparkdit.models.t5.T5Encoder;
import dev.sparkdit.models.vae.VaeDecoder;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.options.RunOptions;
import dev.sparkdit.pipeline.PipelineConfig;
import dev.sparkdit.pipeline.PipelineSource;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code sparkdit load-model}: how long loading each part of a model takes on a backend (docs/pipeline.md), the
 * report to run on a GPU box against a full-size folder from {@code make-random-model}.
 */
@Command(name = "load-model", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Open a model (a folder: every config, tokenizer and checkpoint header checked first) and load"
                + " each part's weights onto the backend, as render does, printing per part the bytes placed on the"
                + " device, the seconds and GB/s, then the total. A second run of the same folder reads from the page"
                + " cache."})
public final class LoadModelCommand implements CliCommand {
    /** Scratch of the backend: loading uses none; the backend wants some. */
    static final long SCRATCH_BYTES = 64L << 20;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR|random:PRESET",
            description = "a FLUX.1 model folder in the diffusers layout, or random:dev, random:schnell, random:tiny"
                    + " (weights made on the device: no file is read)")
    String model;

    @Option(names = "--json", description = "one JSON object per part and one for the total instead of text")
    boolean json;

    @Mixin
    RunOptionsMixin run;

    private interface Load {
        void into(Arena weights) throws IOException;
    }

    @Override
    public Integer call() throws Exception {
        RunOptions options = run.options();
        options = options.withBackend(Backends.choose(options.backend()).name());
        DType dt = options.dtypeOn(options.backend());
        PrintWriter err = spec.commandLine().getErr();
        long t0 = System.nanoTime();
        PipelineSource source;
        try {
            source = PipelineSource.of(model);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--model: " + e.getMessage());
        }
        double openSeconds = (System.nanoTime() - t0) / 1e9;
        PipelineConfig cfg = source.config();
        try (ComputeBackend backend = Backends.create(options, 0, SCRATCH_BYTES)) {
            err.printf(Locale.ROOT, "load-model: %s (opened and checked in %.2f s) onto %s, %s%n", source, openSeconds,
                    backend.deviceName(), dt.name().toLowerCase(Locale.ROOT));
            Ops ops = backend.ops();
            warmUp(backend);
            long bytes = 0;
            double seconds = 0;
            Row row = load(backend, dt, "transformer", FluxTransformer.weightBytes(cfg.transformer(), dt),
                    w -> source.transformer(ops, w, dt));
            bytes += row.bytes();
            seconds += row.seconds();
            if (cfg.hasTextEncoders()) {
                row = load(backend, dt, "text_encoder", ClipTextEncoder.weightBytes(cfg.clip(), dt),
                        w -> source.clip(ops, w, dt));
                bytes += row.bytes();
                seconds += row.seconds();
                row = load(backend, dt, "text_encoder_2", T5Encoder.weightBytes(cfg.t5(), dt),
                        w -> source.t5(ops, w, dt));
                bytes += row.bytes();
                seconds += row.seconds();
            }
            row = load(backend, dt, "vae", VaeDecoder.weightBytes(cfg.vae(), dt), w -> source.vae(ops, w, dt));
            bytes += row.bytes();
            seconds += row.seconds();
            print(new Row("total", bytes, seconds), backend, dt);
        }
        return 0;
    }

    /** One part: the bytes of its weights on the device and the seconds from the first read to the device's sync. */
    private record Row(String part, long bytes, double seconds) {
        double gbPerSecond() {
            return bytes / 1e9 / Math.max(seconds, 1e-9);
        }
    }

    /**
     * One small copy to the device first, so that the first part's time is its load and not the backend's start (the
     * CPU backend's first libtorch call takes seconds; a GPU's first copy sets up its context).
     */
    private static void warmUp(ComputeBackend backend) {
        Arena a = backend.reserve("warm-up", Arena.ALIGNMENT);
        java.nio.ByteBuffer one = java.nio.ByteBuffer.allocateDirect(4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putFloat(0, 1f);
        backend.ops().copyFromHost(a.allocate(DType.F32, 1), one, DType.F32);
        backend.ops().synchronize();
    }

    private Row load(ComputeBackend backend, DType dt, String part, long bytes, Load load) throws IOException {
        Arena weights = backend.reserve(part + " weights", bytes);
        long t0 = System.nanoTime();
        load.into(weights);
        backend.ops().synchronize();
        Row row = new Row(part, bytes, (System.nanoTime() - t0) / 1e9);
        print(row, backend, dt);
        return row;
    }

    private void print(Row row, ComputeBackend backend, DType dt) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("part", row.part());
            m.put("bytes", row.bytes());
            m.put("seconds", Math.round(row.seconds() * 1e4) / 1e4);
            m.put("gb_per_s", Math.round(row.gbPerSecond() * 1e3) / 1e3);
            m.put("model", model);
            m.put("backend", backend.name());
            m.put("device", backend.deviceName());
            m.put("dtype", dt.name().toLowerCase(Locale.ROOT));
            out.println(Json.write(m));
        } else {
            out.printf(Locale.ROOT, "%-15s %12s %9.2f s %8.3f GB/s%n", row.part(),
                    MakeRandomModelCommand.gb(row.bytes()), row.seconds(), row.gbPerSecond());
        }
        out.flush();
    }
}
