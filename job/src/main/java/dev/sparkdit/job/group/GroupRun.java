package dev.sparkdit.job.group;

import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.options.RunOptions;
import dev.sparkdit.pipeline.LocalImageStore;
import dev.sparkdit.pipeline.PipelineWeights;
import dev.sparkdit.pipeline.RenderListener;
import dev.sparkdit.runner.RankBody;
import dev.sparkdit.usp.ParallelPlan;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One rank of a render-group run without Spark: what a barrier task does, with the ranks of this machine joined by
 * an in-process or TCP rendezvous instead of the barrier. Images go to {@code output/images}, row sidecars to
 * {@code output/rows}.
 */
public final class GroupRun {
    private GroupRun() {
    }

    /** The body every rank runs: load the weights on its backend, render its group's prompts. */
    public static RankBody<List<ResultRow>> body(GroupRunFile run, PrintWriter err) {
        JobSettings s = run.settings();
        return rank -> {
            int n = s.ranksPerGroup();
            int group = rank.placement().rank() / n;
            List<PromptWork> work = run.workOf(group);
            long t0 = System.nanoTime();
            RunOptions options = rank.options();
            PipelineWeights weights = PipelineWeights.load(rank.backend(), dev.sparkdit.pipeline.PipelineSource.of(
                    s.model()), options.dtypeOn(rank.backend().name()), options.fp8Gemm(), s.maxSequenceLength(),
                    rank.leads(), rank.leads());
            rank.ops().synchronize();
            double loadMs = (System.nanoTime() - t0) / 1e6;
            ParallelPlan plan = rank.plan();
            List<Integer> gpus = new ArrayList<>();
            if (rank.backend().name().equals("cuda")) {
                for (int r = group * n; r < (group + 1) * n; r++) {
                    gpus.add(plan.placement(r).localGpu());
                }
            }
            TaskIdentity id = new TaskIdentity(InetAddress.getLocalHost().getHostName(), gpus, group, 0);
            Path out = Path.of(run.output());
            RenderListener steps = (r, step, total, ms) -> err.printf(Locale.ROOT, "render-group: group %d %s step"
                    + " %d/%d %.1f ms%n", group, r.id(), step, total, ms);
            GroupRenderer.Progress progress = (done, failed, total) -> err.printf(Locale.ROOT,
                    "render-group: group %d %d/%d done, %d failed%n", group, done, total, failed);
            return GroupRenderer.run(rank, weights, s.limits(), work, new LocalImageStore(out.resolve("images")),
                    new LocalRowStore(out.resolve("rows")), id, loadMs, steps, progress,
                    new GroupRenderer.Controls(() -> false, s.fault()));
        };
    }
}
