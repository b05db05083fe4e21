package dev.sparkdit.job.cli;

import dev.sparkdit.cli.CliCommand;
import dev.sparkdit.cli.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sparkdit make-prompts}: a synthetic prompt table of any size, written by Spark without a driver copy. */
@Command(name = "make-prompts", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a synthetic prompt table (Parquet; ids p0000001 ..., prompts composed from the sample"
                + " prompts, deterministic for a seed) of --rows rows (docs/datasets.md)."})
public final class MakePromptsCommand implements CliCommand {
    @Spec
    CommandSpec spec;

    @Option(names = "--rows", required = true, description = "rows to write")
    long rows;

    @Option(names = "--out", required = true, paramLabel = "PATH", description = "the table to write (a folder)")
    String out;

    @Option(names = "--seed", defaultValue = "0", description = "composition seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--width", description = "a width column for every row (default: none: the job's default)")
    Integer width;

    @Option(names = "--height", description = "a height column for every row (default: none)")
    Integer height;

    @Option(names = "--steps", description = "a steps column for every row (default: none)")
    Integer steps;

    @Option(names = "--force", description = "replace an existing table (default: refuse)")
    boolean force;

    @Override
    public Integer call() {
        if (rows < 1) {
            throw new UsageException("--rows must be >= 1, got " + rows);
        }
        long t0 = System.nanoTime();
        SparkTables.makePrompts(rows, out, seed, width, height, steps, force);
        spec.commandLine().getOut().printf("make-prompts: %d rows in %s (%.1f s)%n", rows, out,
                (System.nanoTime() - t0) / 1e9);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
