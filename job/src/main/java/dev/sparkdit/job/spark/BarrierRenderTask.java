package dev.sparkdit.job.spark;

import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.job.group.ExecutorModels;
import dev.sparkdit.job.group.GroupPlacement;
import dev.sparkdit.job.group.GroupRenderer;
import dev.sparkdit.job.group.JobSettings;
import dev.sparkdit.job.group.PromptWork;
import dev.sparkdit.job.group.TaskIdentity;
import dev.sparkdit.job.group.TaskSlot;
import dev.sparkdit.options.RunOptions;
import dev.sparkdit.pipeline.RenderListener;
import dev.sparkdit.runner.RankGroup;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.resource.ResourceInformation;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One task of the barrier stage: a thin shell around the Spark-free {@link GroupRenderer}. It finds its GPU (the
 * task's {@code gpu} resource; in local mode, where Spark assigns none, its partition index), tells the stage its
 * host and GPU through the barrier's all-gather, takes its rank from the placement every task computes alike, reads
 * its group's prompts, borrows this executor's loaded model, forms its group's communicators through the barrier
 * ({@link BarrierRendezvous}) and renders. A rank that fails aborts its communicators, so its group fails at once
 * (Gloo: its peers see the abort within milliseconds and name the rank; NCCL: within the collective timeout), and
 * Spark kills the stage's other tasks, which abort theirs ({@code KillWatch}); Spark then retries the stage, which
 * skips the prompts already stored.
 */
public final class BarrierRenderTask extends AbstractFunction1<Iterator<Integer>, Iterator<ResultRow>>
        implements Serializable {
    private static final long serialVersionUID = 1L;

    private final JobSettings settings;
    private final JobPaths paths;
    private final boolean gpuResources;

    /** @param gpuResources whether tasks ask Spark for a {@code gpu} resource (a cluster); false in local mode */
    public BarrierRenderTask(JobSettings settings, JobPaths paths, boolean gpuResources) {
        this.settings = settings;
        this.paths = paths;
        this.gpuResources = gpuResources;
    }

    @Override
    public Iterator<ResultRow> apply(Iterator<Integer> ignored) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        try {
            return CollectionConverters.asScala(run(ctx).iterator());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("barrier task " + ctx.partitionId() + ": " + e.getMessage(), e);
        }
    }

    private List<ResultRow> run(BarrierTaskContext ctx) throws Exception {
        int task = ctx.partitionId();
        int attempt = ctx.stageAttemptNumber();
        RunOptions options = settings.runOptions();
        boolean cpu = "cpu".equals(options.backend());
        // The GPU that Spark gave this task is reported in the rows whatever computes (a CPU-backend run on a
        // cluster with GPU resources still holds them); without GPU resources the CPU backend has none.
        int gpu = cpu && !gpuResources ? -1 : gpuOf(ctx, task);
        String address = ctx.getTaskInfos()[task].address();
        String host = address.contains(":") ? address.substring(0, address.lastIndexOf(':')) : address;
        String[] published = ctx.allGather(new TaskSlot(task, host, gpu).encode());
        List<TaskSlot> slots = new ArrayList<>();
        for (int t = 0; t < published.length; t++) {
            slots.add(TaskSlot.decode(t, published[t]));
        }
        GroupPlacement placement = GroupPlacement.of(slots, settings.groups(), settings.ulysses(), settings.ring());
        int world = placement.worldRank(task);
        int n = settings.ranksPerGroup();
        int group = world / n;
        List<Integer> gpus = new ArrayList<>();
        String leadHost = host;
        for (int r = group * n; r < (group + 1) * n; r++) {
            TaskSlot s = slots.get(placement.taskOfWorldRank().get(r));
            if (s.gpu() >= 0) {
                gpus.add(s.gpu());
            }
            if (r == group * n) {
                leadHost = s.host();
            }
        }
        List<PromptWork> work = WorkShards.read(paths, group);
        ExecutorModels.Loaded model = ExecutorModels.get(settings, cpu ? task : gpu, cpu ? 0 : gpu);
        TaskIdentity id = new TaskIdentity(leadHost, gpus, group, attempt);
        GroupProgressFile progress = new GroupProgressFile(paths, group, attempt);
        GroupRenderer.Controls controls = new GroupRenderer.Controls(ctx::isInterrupted, settings.fault());
        return RankGroup.runOne(settings.plan(), world, model.backend(), options,
                new BarrierRendezvous(ctx, options.collectiveTimeout()), rank -> {
                    try (KillWatch ignored = KillWatch.start(ctx, rank, task, world)) {
                        return GroupRenderer.run(rank, model.weights(), settings.limits(), work,
                                new HadoopImageStore(paths.images(), paths.conf()),
                                new HadoopRowStore(paths.rows(), paths.conf()), id, model.loadMs(),
                                RenderListener.NONE, rank.leads() ? progress : GroupRenderer.Progress.NONE, controls);
                    }
                });
    }

    /**
     * Aborts a rank's communicators once Spark kills its task. When a task of a barrier stage fails, Spark kills the
     * stage's other tasks, but only marks them (it does not interrupt their threads): a rank of another group, or one
     * blocked in an NCCL collective whose peer aborted (NCCL tells peers nothing), would go on rendering or waiting
     * and keep its task slot, and the retried attempt cannot start until every slot is free. The abort makes its
     * next or current collective fail; between prompts {@link GroupRenderer.Controls#cancelled} stops it.
     */
    private static final class KillWatch implements AutoCloseable {
        private static final java.util.concurrent.ScheduledExecutorService POLL =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "sparkdit-kill-watch");
                    t.setDaemon(true);
                    return t;
                });
        static final long POLL_MS = 200;

        private final java.util.concurrent.ScheduledFuture<?> poll;

        private KillWatch(java.util.concurrent.ScheduledFuture<?> poll) {
            this.poll = poll;
        }

        static KillWatch start(BarrierTaskContext ctx, dev.sparkdit.runner.Rank rank, int task, int world) {
            boolean[] fired = new boolean[1];
            return new KillWatch(POLL.scheduleWithFixedDelay(() -> {
                if (!fired[0] && ctx.isInterrupted()) {
                    fired[0] = true;
                    String why = ctx.getKillReason().isDefined() ? ctx.getKillReason().get() : "killed";
                    rank.abort("task " + task + " (rank " + world + ") was killed by Spark: " + why);
                }
            }, POLL_MS, POLL_MS, java.util.concurrent.TimeUnit.MILLISECONDS));
        }

        @Override
        public void close() {
            poll.cancel(false);
        }
    }

    /**
     * The task's GPU: its {@code gpu} resource address, or its partition index where Spark assigns none (local
     * mode on a GPU backend).
     */
    private int gpuOf(BarrierTaskContext ctx, int task) {
        ResourceInformation info = ctx.resources().get("gpu").getOrElse(() -> null);
        if (info == null || info.addresses().length == 0) {
            if (gpuResources) {
                throw new IllegalStateException("task " + task + " was given no gpu resource; set"
                        + " spark.task.resource.gpu.amount=1 and a discovery script (conf/)");
            }
            return task;
        }
        return Integer.parseInt(info.addresses()[0]);
    }
}
