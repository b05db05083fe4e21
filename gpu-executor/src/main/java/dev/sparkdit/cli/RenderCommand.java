package dev.sparkdit.cli;

import dev.sparkdit.backend.Backends;
import dev.sparkdit.json.Json;
import dev.sparkdit.options.RunOptions;
import dev.sparkdit.pipeline.FluxPipeline;
import dev.sparkdit.pipeline.ImageWriter;
import dev.sparkdit.pipeline.LocalImageStore;
import dev.sparkdit.pipeline.PipelineConfig;
import dev.sparkdit.pipeline.PipelineLimits;
import dev.sparkdit.pipeline.PipelineSource;
import dev.sparkdit.pipeline.RenderListener;
import dev.sparkdit.pipeline.RenderRequest;
import dev.sparkdit.pipeline.RenderRows;
import dev.sparkdit.pipeline.RenderedImage;
import dev.sparkdit.pipeline.WrittenImage;
import dev.sparkdit.runner.RankGroup;
import dev.sparkdit.usp.ParallelPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * {@code sparkdit render}: prompts to PNGs with FLUX.1 on one machine (ranks as threads), the Spark-free path the
 * Spark task also takes. One JSON timing row per image on stdout; per-step progress on stderr.
 */
@Command(name = "render", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Render prompts to PNG files with FLUX.1 (text encoders, denoising, VAE), on the CPU or GPUs"
                + " of this machine. Prints one JSON row per image (where it went, seed, size, timings) on stdout and"
                + " per-step progress on stderr."})
public final class RenderCommand implements CliCommand {
    /** The version written into every image's parameters. */
    public static final String VERSION = "SparkDiT 0.1.0";

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR|random:PRESET",
            description = "a FLUX.1 model folder in the diffusers layout, or random weights: random:dev,"
                    + " random:schnell (full size), random:tiny (the test model's size)")
    String model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "a prompt; repeatable")
    List<String> prompts = new ArrayList<>();

    @Option(names = "--prompts", paramLabel = "FILE", description = "a file of prompts, one per line (blank lines"
            + " and lines starting with # are skipped)")
    Path promptFile;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where the PNGs go (created)")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the first image; image i gets seed + i"
            + " (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--steps", description = "denoising steps (default: 28 for a model with guidance (dev), 4"
            + " without (schnell))")
    Integer steps;

    @Option(names = "--guidance", defaultValue = "3.5", description = "FLUX.1-dev's guidance scale; schnell ignores it"
            + " (default: ${DEFAULT-VALUE})")
    double guidance;

    @Option(names = "--width", defaultValue = "1024", description = "pixels, a multiple of 16 (default: ${DEFAULT-VALUE})")
    int width;

    @Option(names = "--height", defaultValue = "1024", description = "pixels, a multiple of 16 (default: ${DEFAULT-VALUE})")
    int height;

    @Option(names = "--max-sequence-length", defaultValue = "512", paramLabel = "N",
            description = "T5 tokens per prompt, padded and truncated (FluxPipeline's max_sequence_length; default:"
                    + " ${DEFAULT-VALUE})")
    int maxSequenceLength;

    @Mixin
    ParallelMixin parallel;

    @Mixin
    RunOptionsMixin run;

    @Override
    public Integer call() throws Exception {
        List<String> all = new ArrayList<>(prompts);
        if (promptFile != null) {
            for (String line : Files.readAllLines(promptFile, StandardCharsets.UTF_8)) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    all.add(line);
                }
            }
        }
        if (all.isEmpty()) {
            throw new UsageException("no prompts: give --prompt TEXT (repeatable) or --prompts FILE");
        }
        ParallelMixin.Layout layout = parallel.layout();
        RunOptions options = run.options();
        options = options.withBackend(Backends.choose(options.backend()).name());
        PipelineSource source;
        try {
            source = PipelineSource.of(model);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--model: " + e.getMessage());
        }
        PipelineConfig cfg = source.config();
        int n = steps != null ? steps : cfg.usesGuidance() ? 28 : 4;
        List<RenderRequest> requests = new ArrayList<>();
        try {
            for (int i = 0; i < all.size(); i++) {
                requests.add(new RenderRequest(Integer.toString(i), all.get(i), null, seed + i, width, height, n,
                        guidance));
            }
            cfg.latent(width, height);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        PipelineLimits limits;
        try {
            limits = PipelineLimits.of(requests, maxSequenceLength);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        ParallelPlan plan = ParallelPlan.of(layout.ranks(), layout.ulysses(), layout.ring(), layout.ranks());
        RunOptions opts = options;
        long scratch = FluxPipeline.scratchBytes(cfg, limits, plan, opts.dtypeOn(opts.backend()));
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        err.printf(Locale.ROOT, "render: %d prompt(s), %s, %dx%d, %d steps, %s on %s (%s)%n", requests.size(), cfg.name(),
                width, height, n, layout.label(), opts.backend(), opts.dtypeOn(opts.backend()));
        String parallelLabel = layout.label();
        try (ImageWriter writer = new ImageWriter(new LocalImageStore(out), cfg.name(), VERSION)) {
            List<CompletableFuture<WrittenImage>> written = new ArrayList<>();
            String[] device = new String[1];
            RankGroup.runThreads(plan, opts, scratch, rank -> {
                try (FluxPipeline pipeline = FluxPipeline.load(rank, source, limits)) {
                    if (rank.leads()) {
                        device[0] = rank.backend().deviceName();
                    }
                    RenderListener progress = (r, step, total, ms) -> err.printf(Locale.ROOT,
                            "render: image %s/%d step %d/%d %.1f ms%n", r.id(), requests.size(), step, total, ms);
                    for (RenderRequest r : requests) {
                        RenderedImage image = pipeline.render(r, progress);
                        if (image != null) {
                            written.add(writer.submit(image, fileName(r)).whenComplete((w, e) -> {
                                if (w != null) {
                                    synchronized (stdout) {
                                        stdout.println(Json.write(RenderRows.of(w, cfg.name(), parallelLabel,
                                                device[0])));
                                        stdout.flush();
                                    }
                                }
                            }));
                        }
                    }
                }
                return null;
            });
            for (CompletableFuture<WrittenImage> f : written) {
                f.join();
            }
        }
        err.printf("render: %d image(s) in %s%n", requests.size(), out);
        return 0;
    }

    /** image-0003-seed45.png: the prompt's index and seed, so names sort and never collide within a run. */
    static String fileName(RenderRequest r) {
        return String.format(Locale.ROOT, "image-%04d-seed%d.png", Integer.parseInt(r.id()), r.seed());
    }
}
