package dev.sparkdit.job.cli;

import dev.sparkdit.backend.Backends;
import dev.sparkdit.cli.CliCommand;
import dev.sparkdit.cli.RunOptionsMixin;
import dev.sparkdit.cli.UsageException;
import dev.sparkdit.datasets.CheckedPrompt;
import dev.sparkdit.datasets.PromptDefaults;
import dev.sparkdit.datasets.PromptRow;
import dev.sparkdit.datasets.PromptRules;
import dev.sparkdit.datasets.RejectedPrompt;
import dev.sparkdit.datasets.ResultJsonLines;
import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.job.group.FaultInjection;
import dev.sparkdit.job.group.GroupAssignment;
import dev.sparkdit.job.group.GroupRun;
import dev.sparkdit.job.group.GroupRunFile;
import dev.sparkdit.job.group.JobSettings;
import dev.sparkdit.options.RunOptions;
import dev.sparkdit.pipeline.FluxPipeline;
import dev.sparkdit.pipeline.PipelineConfig;
import dev.sparkdit.pipeline.PipelineSource;
import dev.sparkdit.runner.ChildRanks;
import dev.sparkdit.runner.RankBody;
import dev.sparkdit.runner.RankGroup;
import dev.sparkdit.usp.comm.TcpRendezvous;
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
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code sparkdit render-group}: what the Spark job's barrier stage does, on one machine and without Spark (the GPU
 * box has none): groups of ranks (threads, or processes joined over TCP as Spark tasks are through the barrier) each
 * render their share of a prompt file through the same group renderer, writing PNGs and result rows in the job's
 * schema.
 */
@Command(name = "render-group", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Render a prompt file the way a Spark barrier stage does, on this machine: --groups groups of"
                + " --gpus-per-group ranks (rank i on GPU i). Writes OUT/images/*.png, one row per prompt in"
                + " OUT/results.jsonl (the job's result columns), and re-run on the same OUT renders only what is"
                + " missing."})
public final class RenderGroupCommand implements CliCommand {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR|random:PRESET",
            description = "a FLUX.1 model folder (diffusers layout), or random:dev, random:schnell, random:tiny")
    String model;

    @Option(names = "--prompts", required = true, paramLabel = "FILE",
            description = "prompts, one per line (blank lines and lines starting with # skipped); line i's prompt_id"
                    + " is line-NNNNNN")
    Path prompts;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder (created)")
    Path out;

    @Option(names = "--groups", defaultValue = "1", description = "groups rendering side by side (default: ${DEFAULT-VALUE})")
    int groups;

    @Option(names = "--gpus-per-group", defaultValue = "1", description = "ranks sharing each image (default:"
            + " ${DEFAULT-VALUE})")
    int perGroup;

    @Option(names = "--ulysses", description = "Ulysses degree inside a group (default: --gpus-per-group)")
    Integer ulysses;

    @Option(names = "--ring", description = "Ring degree inside a group (default: gpus-per-group / ulysses)")
    Integer ring;

    @Option(names = "--processes", description = "ranks 1.. as child JVMs joined over a TCP rendezvous on 127.0.0.1,"
            + " as Spark tasks are (default: threads of this JVM)")
    boolean processes;

    @Option(names = "--inject-fault", hidden = true, paramLabel = "rank=R,prompt=P,step=S[,kind=throw|halt]",
            description = "tests only: rank R throws (or halts its process, with --processes) after step S of the"
                    + " P-th prompt it renders")
    String injectFault;

    @Mixin
    PromptDefaultsMixin defaults;

    @Mixin
    RunOptionsMixin run;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        int u = ulysses != null ? ulysses : ring == null ? perGroup : 1;
        int r = ring != null ? ring : Math.max(1, perGroup / Math.max(u, 1));
        if (groups < 1 || perGroup < 1 || u < 1 || r < 1 || u * r != perGroup) {
            throw new UsageException("--groups " + groups + " and --gpus-per-group " + perGroup + " must be >= 1, and"
                    + " --ulysses " + u + " x --ring " + r + " must equal --gpus-per-group");
        }
        FaultInjection fault;
        try {
            fault = injectFault == null ? null : FaultInjection.parse(injectFault);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--inject-fault: " + e.getMessage());
        }
        RunOptions options = run.options();
        options = options.withBackend(Backends.choose(options.backend()).name());
        PipelineConfig cfg = PipelineSource.of(model).config();
        PromptDefaults d = defaults.defaults(cfg.usesGuidance());
        List<PromptRow> rows = new ArrayList<>();
        int line = 0;
        for (String text : Files.readAllLines(prompts, StandardCharsets.UTF_8)) {
            line++;
            if (!text.isBlank() && !text.startsWith("#")) {
                rows.add(PromptRow.of(String.format(Locale.ROOT, "line-%06d", line), text));
            }
        }
        List<dev.sparkdit.datasets.RenderRequest> requests = new ArrayList<>();
        List<Integer> groupOf = new ArrayList<>();
        for (CheckedPrompt c : PromptRules.checkAll(rows, d)) {
            if (c instanceof RejectedPrompt bad) {
                throw new UsageException(prompts + ": " + bad.promptId() + ": " + bad.reason());
            }
            dev.sparkdit.datasets.RenderRequest req = (dev.sparkdit.datasets.RenderRequest) c;
            requests.add(req);
            groupOf.add(GroupAssignment.groupOf(req.promptId(), groups));
        }
        if (requests.isEmpty()) {
            throw new UsageException(prompts + " holds no prompts");
        }
        int maxW = 16;
        int maxH = 16;
        int maxSteps = 1;
        for (dev.sparkdit.datasets.RenderRequest q : requests) {
            maxW = Math.max(maxW, q.width());
            maxH = Math.max(maxH, q.height());
            maxSteps = Math.max(maxSteps, q.steps());
        }
        JobSettings settings = new JobSettings(model, options.toMap(), groups, u, r, maxW, maxH, maxSteps,
                defaults.maxSequenceLength, fault);
        Files.createDirectories(out);
        GroupRunFile runFile = new GroupRunFile(settings, requests, groupOf, out.toAbsolutePath().toString());
        long scratch = FluxPipeline.scratchBytes(cfg, settings.limits(), settings.plan(),
                options.dtypeOn(options.backend()));
        err.printf(Locale.ROOT, "render-group: %d prompt(s), %d group(s) of %d (ulysses %d x ring %d), %s on %s%n",
                requests.size(), groups, perGroup, u, r, cfg.name(), options.backend());
        long t0 = System.nanoTime();
        List<ResultRow> results = new ArrayList<>();
        if (!processes) {
            for (List<ResultRow> part : RankGroup.runThreads(settings.plan(), options, scratch, GroupRun.body(runFile,
                    err))) {
                results.addAll(part);
            }
        } else {
            results.addAll(runProcesses(runFile, settings, options, scratch, err));
        }
        results.sort(Comparator.comparing(ResultRow::promptId));
        ResultJsonLines.write(out.resolve("results.jsonl"), results);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long ok = results.stream().filter(x -> x.status() == dev.sparkdit.datasets.ResultStatus.OK).count();
        spec.commandLine().getOut().printf(Locale.ROOT, "render-group: %d ok, %d failed, %d prompts in %.1f s (%.1f"
                + " images/hour); results in %s%n", ok, results.size() - ok, requests.size(), seconds,
                ok / seconds * 3600, out.resolve("results.jsonl"));
        spec.commandLine().getOut().flush();
        return ok == requests.size() ? 0 : 1;
    }

    /** Rank 0 here, the others child JVMs running {@code render-rank}; each writes the rows it returns to a file. */
    private static List<ResultRow> runProcesses(GroupRunFile runFile, JobSettings settings, RunOptions options,
                                                long scratch, PrintWriter err) throws Exception {
        Path dir = Files.createTempDirectory("sparkdit-group");
        Path file = dir.resolve("run.json");
        runFile.write(file);
        List<ResultRow> rows = new ArrayList<>();
        try (TcpRendezvous rendezvous = TcpRendezvous.serve("127.0.0.1", 0, 0, options.collectiveTimeout());
             ChildRanks children = ChildRanks.start(settings.tasks(), rank -> {
                 List<String> a = new ArrayList<>(List.of("render-rank", "--run", file.toString(), "--rank", "" + rank,
                         "--rendezvous", "127.0.0.1:" + rendezvous.port(), "--rows", dir.resolve("rank-" + rank
                                 + ".jsonl").toString()));
                 options.toMap().forEach((k, v) -> a.addAll(List.of("--conf", k + "=" + v)));
                 return a;
             })) {
            RankBody<List<ResultRow>> body = GroupRun.body(runFile, err);
            try {
                rows.addAll(RankGroup.runOne(settings.plan(), 0, settings.plan().placement(0).localGpu(), options,
                        scratch, rendezvous, rank -> {
                            // A child that dies tells rank 0 nothing over NCCL: abort here, naming it.
                            children.whenOneFails((r, status) -> rank.abort("rank " + r + " (a child process)"
                                    + " exited with status " + status));
                            return body.run(rank);
                        }));
            } catch (Exception e) {
                String died = children.failed(java.time.Duration.ofSeconds(2));
                if (!died.isEmpty()) {
                    throw new IllegalStateException(died + " (its messages are above); rank 0 then failed: "
                            + e.getMessage(), e);
                }
                throw e;
            }
            children.await(java.time.Duration.ofHours(24));
            for (int rank = 1; rank < settings.tasks(); rank++) {
                rows.addAll(ResultJsonLines.read(dir.resolve("rank-" + rank + ".jsonl")));
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
        return rows;
    }
}
