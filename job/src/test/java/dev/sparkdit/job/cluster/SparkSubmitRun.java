package dev.sparkdit.job.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code sparkdit run} submitted as a user would: {@code org.apache.spark.deploy.SparkSubmit --class
 * dev.sparkdit.cli.Main spark-internal run ...} in a child JVM (client mode: the driver is that JVM). The job is the
 * tests' tiny one: the random tiny model on the CPU backend, 32x32, 2 steps, short T5 sequences.
 */
public final class SparkSubmitRun {
    public static final int SIZE = 32;

    private final String master;
    private final Map<String, String> conf = new LinkedHashMap<>();
    private final List<String> runArgs = new ArrayList<>();

    /**
     * @param groups        --groups
     * @param ranksPerGroup --gpus-per-group (Gloo ranks on the CPU)
     */
    public SparkSubmitRun(String master, Path prompts, Path output, int groups, int ranksPerGroup) {
        this.master = master;
        conf("spark.ui.enabled", "false");
        conf("spark.driver.host", "127.0.0.1");
        conf("spark.executor.extraClassPath", TestClassPath.foldersArgument());
        // C1 only, as in the test JVM: executors live for seconds, and C2 would compile Spark for nothing.
        conf("spark.executor.extraJavaOptions", "-XX:TieredStopAtLevel=1");
        // A barrier stage waiting for slots (an executor being replaced) checks again this often (default 15 s).
        conf("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "2s");
        runArgs.addAll(List.of("run", "--prompts", prompts.toString(), "--output", output.toString(),
                "--model", "random:tiny", "--groups", Integer.toString(groups),
                "--gpus-per-group", Integer.toString(ranksPerGroup), "--backend", "cpu",
                "--width", Integer.toString(SIZE), "--height", Integer.toString(SIZE), "--steps", "2",
                "--seed", "7", "--max-sequence-length", "16"));
    }

    public SparkSubmitRun conf(String key, String value) {
        conf.put(key, value);
        return this;
    }

    /** More arguments for {@code sparkdit run} (e.g. {@code --resume}). */
    public SparkSubmitRun arg(String... args) {
        runArgs.addAll(List.of(args));
        return this;
    }

    public ChildJvm start(String name, Path sparkHome, Path logDir) throws IOException {
        List<String> args = new ArrayList<>(List.of("--master", master, "--deploy-mode", "client",
                "--class", "dev.sparkdit.cli.Main"));
        conf.forEach((k, v) -> {
            args.add("--conf");
            args.add(k + "=" + v);
        });
        args.add("spark-internal");
        args.addAll(runArgs);
        return ChildJvm.start(name, sparkHome, logDir, List.of("-Xmx1g"), "org.apache.spark.deploy.SparkSubmit",
                args, Map.of());
    }
}
