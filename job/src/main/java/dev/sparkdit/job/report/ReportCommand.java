package dev.sparkdit.job.report;

import dev.sparkdit.cli.CliCommand;
import dev.sparkdit.cli.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code sparkdit report}: one HTML page with PNG figures comparing runs (result tables) side by side. Spark-free
 * itself: only reading a Parquet table loads Spark ({@link ParquetResults}), so the command is listed, shows its
 * help and reads JSON-lines files on a machine without Spark.
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare runs from their result tables: writes DIR/index.html and its PNG figures (images per"
                + " hour, mean time per stage, step-time percentiles per group and host, time per image over its"
                + " index), readable from disk without a server. Each run is one result table: a Parquet table as the"
                + " job writes it (folder, file or glob; needs Spark on the class path) or render-group's JSON-lines"
                + " file (or a folder of .jsonl files). docs/report.md says how each figure is computed.",
                "Prints the page's path on stdout. Exit status: 0 ok, 2 bad usage or a table that cannot be read."})
public final class ReportCommand implements CliCommand {
    @Spec
    CommandSpec spec;

    @Option(names = "--results", required = true, paramLabel = "PATH",
            description = "a result table, one run; repeatable (runs appear in this order)")
    List<String> results = new ArrayList<>();

    @Option(names = "--label", paramLabel = "TEXT", description = "the runs' names, one per --results in the same"
            + " order; repeatable (default: each table's folder or file name)")
    List<String> labels = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "where index.html and the figures go (created; their files are replaced)")
    Path out;

    @Option(names = "--title", paramLabel = "TEXT", defaultValue = "SparkDiT run report",
            description = "the page's title (default: ${DEFAULT-VALUE})")
    String title;

    @Option(names = "--max-failed", paramLabel = "N", defaultValue = "100",
            description = "failed rows listed per run, with the count of all (default: ${DEFAULT-VALUE})")
    int maxFailed;

    @Override
    public Integer call() throws Exception {
        List<ResultInput> inputs = inputs(results, labels);
        if (maxFailed < 0) {
            throw new UsageException("--max-failed must be >= 0, got " + maxFailed);
        }
        if (title.isBlank()) {
            throw new UsageException("--title must not be blank");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new UsageException("--out " + out + " is a file, not a folder");
        }
        PrintWriter err = spec.commandLine().getErr();
        Path page = Report.write(inputs, out, title, maxFailed, err);
        err.printf("report: %d run(s) -> %s%n", inputs.size(), page);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println(page);
        stdout.flush();
        return 0;
    }

    /**
     * Pairs paths with labels: the given ones, else each path's last name; a name that repeats gets " (2)",
     * " (3)", ... so that every run is told apart.
     */
    static List<ResultInput> inputs(List<String> paths, List<String> labels) {
        if (!labels.isEmpty() && labels.size() != paths.size()) {
            throw new UsageException("--label given " + labels.size() + " time(s) for " + paths.size()
                    + " --results: give one per table, in the same order, or none");
        }
        Map<String, Integer> seen = new HashMap<>();
        List<ResultInput> inputs = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            String path = paths.get(i);
            if (path.isBlank()) {
                throw new UsageException("--results must not be blank");
            }
            String label = labels.isEmpty() ? ResultInput.defaultLabel(path) : labels.get(i).strip();
            if (label.isEmpty()) {
                throw new UsageException("--label must not be blank (the one for " + path + ")");
            }
            int n = seen.merge(label, 1, Integer::sum);
            inputs.add(new ResultInput(path, n == 1 ? label : label + " (" + n + ")"));
        }
        return inputs;
    }
}
