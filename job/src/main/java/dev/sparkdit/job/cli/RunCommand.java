package dev.sparkdit.job.cli;

import dev.sparkdit.cli.CliCommand;
import dev.sparkdit.cli.RunOptionsMixin;
import dev.sparkdit.cli.UsageException;
import dev.sparkdit.datasets.OnBadRow;
import dev.sparkdit.job.group.FaultInjection;
import dev.sparkdit.job.spark.JobRequest;
import dev.sparkdit.job.spark.SparkDitJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.Locale;

/**
 * {@code sparkdit run}: the Spark job. Runs inside the driver that {@code submit/sparkdit run} starts through
 * spark-submit (or Spark's SparkSubmit class); Spark classes are touched only by {@link SparkDitJob}, so this class
 * loads where Spark is absent (the GPU bundle lists its commands without it).
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Render a prompt table (Parquet) with a Spark barrier stage of --groups x --gpus-per-group tasks;"
                + " each group forms its communicators and renders its share of the prompts. Writes OUTPUT/images/,"
                + " the result table OUTPUT/results/ and rejected rows OUTPUT/rejects/ (Parquet). Every run option can"
                + " also be set as spark.sparkdit.KEY in the Spark configuration (docs/options.md).",
                "Exit status: 0 every prompt rendered, 1 some failed or were rejected, 2 bad usage or a failed job."})
public final class RunCommand implements CliCommand {
    @Spec
    CommandSpec spec;

    @Option(names = "--prompts", required = true, paramLabel = "PATH",
            description = "the prompt table: Parquet file or folder, any Hadoop path (docs/datasets.md)")
    String prompts;

    @Option(names = "--output", required = true, paramLabel = "PATH", description = "output folder, any Hadoop path")
    String output;

    @Option(names = "--model", required = true, paramLabel = "DIR|random:PRESET",
            description = "a FLUX.1 model folder in the diffusers layout present at the same local path on every"
                    + " node, or random:dev, random:schnell, random:tiny")
    String model;

    @Option(names = "--groups", defaultValue = "1", description = "groups rendering side by side (default: ${DEFAULT-VALUE})")
    int groups;

    @Option(names = "--gpus-per-group", defaultValue = "1", description = "ranks (GPUs) sharing each image (default:"
            + " ${DEFAULT-VALUE})")
    int perGroup;

    @Option(names = "--ulysses", description = "Ulysses degree in a group; its ranks stay on one host (default:"
            + " --gpus-per-group)")
    Integer ulysses;

    @Option(names = "--ring", description = "Ring degree in a group; may cross hosts (default: gpus-per-group /"
            + " ulysses)")
    Integer ring;

    @Option(names = "--resume", description = "continue an earlier run into the same --output: only prompts without a"
            + " stored result are rendered (default: refuse an output that holds finished prompts)")
    boolean resume;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N",
            description = "render only the first N valid prompts in prompt_id order (a demo, a smoke test); rejects"
                    + " still lists every bad row of the table (default: 0 = every prompt)")
    int limit;

    @Option(names = "--on-bad-row", defaultValue = "reject", paramLabel = "reject|fail",
            description = "a row that fails validation goes to rejects/ (reject) or fails the job before rendering"
                    + " (fail) (default: ${DEFAULT-VALUE})")
    String onBadRow;

    @Option(names = "--inject-fault", hidden = true, paramLabel = "rank=R,prompt=P,step=S[,attempt=A]",
            description = "tests only: rank R throws after step S of the P-th prompt it renders (in stage attempt A,"
                    + " else in every attempt)")
    String injectFault;

    @Mixin
    PromptDefaultsMixin defaults;

    @Mixin
    RunOptionsMixin run;

    @Override
    public Integer call() throws Exception {
        int u = ulysses != null ? ulysses : ring == null ? perGroup : 1;
        int r = ring != null ? ring : Math.max(1, perGroup / Math.max(u, 1));
        if (groups < 1) {
            throw new UsageException("--groups must be >= 1, got " + groups);
        }
        if (perGroup < 1 || u < 1 || r < 1 || u * r != perGroup) {
            throw new UsageException("--ulysses " + u + " x --ring " + r + " must equal --gpus-per-group " + perGroup
                    + " (all >= 1)");
        }
        if (limit < 0) {
            throw new UsageException("--limit must be >= 0 (0: every prompt), got " + limit);
        }
        OnBadRow policy = switch (onBadRow.toLowerCase(Locale.ROOT)) {
            case "reject" -> OnBadRow.REJECT;
            case "fail" -> OnBadRow.FAIL;
            default -> throw new UsageException("--on-bad-row must be reject or fail, got '" + onBadRow + "'");
        };
        run.options(); // bad keys and values are usage errors, before Spark starts
        FaultInjection fault;
        try {
            fault = injectFault == null ? null : FaultInjection.parse(injectFault);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--inject-fault: " + e.getMessage());
        }
        return SparkDitJob.run(new JobRequest(prompts, output, model, groups, perGroup, u, r, run.given(),
                defaults.seed, defaults.width, defaults.height, defaults.steps, defaults.guidance,
                defaults.maxSequenceLength, resume, policy, limit, fault), WriterStream.of(spec.commandLine().getErr()));
    }
}
