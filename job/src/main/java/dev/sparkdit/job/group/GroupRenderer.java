package dev.sparkdit.job.group;

import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.datasets.ResultStatus;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.pipeline.FluxPipeline;
import dev.sparkdit.pipeline.ImageStore;
import dev.sparkdit.pipeline.ImageWriter;
import dev.sparkdit.pipeline.PipelineLimits;
import dev.sparkdit.pipeline.PipelineWeights;
import dev.sparkdit.pipeline.RenderListener;
import dev.sparkdit.pipeline.RenderTimings;
import dev.sparkdit.pipeline.RenderedImage;
import dev.sparkdit.pipeline.WrittenImage;
import dev.sparkdit.runner.Rank;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.HostBuffers;
import dev.sparkdit.tensor.Tensor;
import dev.sparkdit.usp.comm.Communicator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * What one rank of a group does with its group's prompts, in the Spark task and in {@code render-group} alike:
 * every rank walks the same ordered list; prompts whose result row is already stored (an earlier attempt or run)
 * are skipped by all ranks alike (the lead decides and broadcasts); the others are rendered together, and the lead
 * writes each image, then its row, and reports progress. The lead returns every prompt's row, the others none.
 */
public final class GroupRenderer {
    /** The version written into every image's parameters. */
    public static final String VERSION = "SparkDiT 0.1.0";

    /** Where the lead reports progress (done includes prompts an earlier attempt finished). */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, failed, total) -> { };

        void update(int done, int failed, int total);
    }

    /**
     * What stops a group's run from outside, and a fault a test injects.
     *
     * @param cancelled checked before every prompt: true (Spark killed the task) ends the run with an error
     * @param fault     tests only: a rank that throws on purpose, or null
     */
    public record Controls(BooleanSupplier cancelled, FaultInjection fault) {
        public static final Controls NONE = new Controls(() -> false, null);

        public Controls {
            java.util.Objects.requireNonNull(cancelled, "cancelled");
        }
    }

    private GroupRenderer() {
    }

    /** {@link #run(Rank, PipelineWeights, PipelineLimits, List, ImageStore, RowStore, TaskIdentity, double,
     * RenderListener, Progress, Controls)} without controls. */
    public static List<ResultRow> run(Rank rank, PipelineWeights weights, PipelineLimits limits, List<PromptWork> work,
                                      ImageStore images, RowStore rows, TaskIdentity id, double loadMs,
                                      RenderListener listener, Progress progress) throws IOException {
        return run(rank, weights, limits, work, images, rows, id, loadMs, listener, progress, Controls.NONE);
    }

    /**
     * @param weights  the pipeline's weights in the rank's backend (cached across tasks by the caller)
     * @param loadMs   how long loading the weights took in this task (0 when they were cached)
     */
    public static List<ResultRow> run(Rank rank, PipelineWeights weights, PipelineLimits limits, List<PromptWork> work,
                                      ImageStore images, RowStore rows, TaskIdentity id, double loadMs,
                                      RenderListener listener, Progress progress, Controls controls)
            throws IOException {
        boolean[] done = alreadyDone(rank, work, rows);
        List<ResultRow> out = Collections.synchronizedList(new ArrayList<>());
        int skipped = 0;
        if (rank.leads()) {
            for (int i = 0; i < work.size(); i++) {
                if (done[i]) {
                    out.add(rows.read(work.get(i).rowName()));
                    skipped++;
                }
            }
            progress.update(skipped, 0, work.size());
        }
        AtomicInteger finished = new AtomicInteger(skipped);
        AtomicInteger failed = new AtomicInteger();
        String plan = rank.plan().ulysses() == 1 && rank.plan().ring() == 1 ? "1 rank"
                : "ulysses " + rank.plan().ulysses() + " x ring " + rank.plan().ring();
        String model = weights.config().name();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        try (FluxPipeline pipeline = FluxPipeline.bind(rank, weights, limits);
             ImageWriter writer = rank.leads() ? new ImageWriter(images, model, VERSION) : null) {
            boolean first = true;
            int rendered = 0;
            for (int i = 0; i < work.size(); i++) {
                if (done[i]) {
                    continue;
                }
                if (controls.cancelled().getAsBoolean()) {
                    throw new CancellationException("group " + id.group() + " (attempt " + id.attempt() + "): the"
                            + " task was cancelled before prompt " + i + " of " + work.size());
                }
                PromptWork w = work.get(i);
                RenderListener l = controls.fault() == null ? listener
                        : controls.fault().around(listener, rank.placement().rank(), rendered, id.attempt());
                rendered++;
                RenderedImage image = pipeline.render(w.request(), l);
                if (image == null) {
                    continue;
                }
                double load = first ? loadMs : 0;
                first = false;
                pending.add(writer.submit(image, w.imageName()).handle((written, error) -> {
                    ResultRow row;
                    if (error == null) {
                        row = row(w, written.uri(), written.timings(), image, model, plan, load, id, null);
                        try {
                            rows.write(w.rowName(), row);
                        } catch (IOException e) {
                            row = row(w, null, written.timings(), image, model, plan, load, id,
                                    "the image was written but its row could not be: " + e.getMessage());
                        }
                    } else {
                        Throwable cause = error.getCause() != null ? error.getCause() : error;
                        row = row(w, null, image.timings(), image, model, plan, load, id, String.valueOf(
                                cause.getMessage()));
                    }
                    out.add(row);
                    if (row.status() == ResultStatus.OK) {
                        finished.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                    progress.update(finished.get(), failed.get(), work.size());
                    return null;
                }));
            }
            for (CompletableFuture<Void> f : pending) {
                f.join();
            }
        }
        return rank.leads() ? new ArrayList<>(out) : List.of();
    }

    /** The lead's view of which prompts already have a row, the same on every rank of the group. */
    private static boolean[] alreadyDone(Rank rank, List<PromptWork> work, RowStore rows) throws IOException {
        int n = work.size();
        float[] mask = new float[Math.max(n, 1)];
        if (rank.leads()) {
            for (int i = 0; i < n; i++) {
                mask[i] = rows.has(work.get(i).rowName()) ? 1 : 0;
            }
        }
        Communicator group = rank.group();
        if (group != null) {
            ComputeBackend backend = rank.backend();
            Ops ops = backend.ops();
            Arena a = backend.reserve("done mask", Arena.alignUp(4L * mask.length) + Arena.ALIGNMENT);
            try {
                // fp32 0/1 flags: every backend copies fp32 both ways.
                Tensor t = a.allocate(DType.F32, mask.length);
                ops.copyFromHost(t, HostBuffers.floats(mask), DType.F32);
                group.broadcast(t, 0);
                ops.synchronize();
                mask = ops.toFloatArray(t);
            } finally {
                backend.release(a);
            }
        }
        boolean[] done = new boolean[n];
        for (int i = 0; i < n; i++) {
            done[i] = mask[i] != 0;
        }
        return done;
    }

    private static ResultRow row(PromptWork w, String uri, RenderTimings t, RenderedImage image, String model,
                                 String plan, double loadMs, TaskIdentity id, String error) {
        dev.sparkdit.datasets.RenderRequest r = w.row();
        List<Double> steps = new ArrayList<>();
        for (double ms : t.stepMs()) {
            steps.add(ms);
        }
        return new ResultRow(r.promptId(), r.seed(), uri, r.width(), r.height(), r.steps(), r.guidance(), model, plan,
                loadMs, t.tokenizeMs(), t.textEncodeMs(), steps, t.denoiseMs(), t.decodeMs(), t.writeMs(), t.totalMs(),
                image.clipTokensTruncated(), image.t5TokensTruncated(), id.host(), id.gpuIds(), id.group(), id.attempt(),
                error == null ? ResultStatus.OK : ResultStatus.FAILED, error);
    }
}
