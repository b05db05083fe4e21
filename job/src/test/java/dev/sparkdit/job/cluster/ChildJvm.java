package dev.sparkdit.job.cluster;

import org.apache.spark.launcher.JavaModuleOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A Java child process with the test class path (a Spark Master, Worker or SparkSubmit), its output in a log file.
 * {@link #close()} kills it and every process it started (executors), and a shutdown hook kills whatever a test
 * left, so no JVM outlives the test run.
 */
public final class ChildJvm implements AutoCloseable {
    private static final Set<ChildJvm> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ChildJvm::close), "kill-child-jvms"));
    }

    private final String name;
    private final Process process;
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code java <jvmOptions> -cp <test class path> <mainClass> <args>} with SPARK_HOME set,
     * SPARK_SCALA_VERSION=2.13, SPARK_LOCAL_IP=127.0.0.1 and
     * SPARK_LOCAL_DIRS under SPARK_HOME; output goes to {@code logDir/<name>.log}.
     */
    public static ChildJvm start(String name, Path sparkHome, Path logDir, List<String> jvmOptions, String mainClass,
                                 List<String> args, Map<String, String> env) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Collections.addAll(cmd, JavaModuleOptions.defaultModuleOptionArray());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(TestClassPath.asArgument());
        cmd.add(mainClass);
        cmd.addAll(args);
        Path log = Files.createDirectories(logDir).resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        Map<String, String> e = new LinkedHashMap<>();
        e.put("SPARK_HOME", sparkHome.toString());
        e.put("SPARK_SCALA_VERSION", "2.13");
        e.put("SPARK_LOCAL_IP", "127.0.0.1");
        // Spark's scratch (shuffle files, a killed driver's leftovers) under the fake SPARK_HOME, not in /tmp.
        e.put("SPARK_LOCAL_DIRS", sparkHome.resolve("local").toString());
        e.putAll(env);
        pb.environment().putAll(e);
        pb.environment().remove("SPARK_CONF_DIR");
        ChildJvm child = new ChildJvm(name, pb.start(), log);
        LIVE.add(child);
        return child;
    }

    public String name() {
        return name;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    /** Waits for the process to end; its exit status. */
    public int await(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            threadDump();
            throw new IllegalStateException(name + " still running after " + timeout + " (its threads are dumped"
                    + " in " + log + "):\n" + summary());
        }
        return process.exitValue();
    }

    /** Waits until the log holds {@code text}; fails when the process ends first or time runs out. */
    public void awaitLog(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!log().contains(text)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " ended before logging '" + text + "':\n" + logTail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not log '" + text + "' in " + timeout + ":\n"
                        + logTail());
            }
            Thread.sleep(200);
        }
    }

    /** Asks the JVM to print its threads into its log (SIGQUIT), and gives it a moment to. */
    public void threadDump() throws InterruptedException {
        try {
            new ProcessBuilder("kill", "-QUIT", Long.toString(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
            Thread.sleep(1000);
        } catch (IOException e) {
            System.err.println(name + ": no thread dump: " + e.getMessage());
        }
    }

    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log " + log + " unreadable: " + e.getMessage() + ")";
        }
    }

    /** The log's lines that SparkDiT printed ({@code sparkdit ...}) and the lines of errors, for failure messages. */
    public String summary() {
        StringBuilder b = new StringBuilder(name).append(" (log ").append(log).append("):\n");
        for (String line : log().split("\n")) {
            if (line.startsWith("sparkdit") || line.contains("ERROR") || line.contains("Exception:")) {
                b.append(line).append('\n');
            }
        }
        return b.toString();
    }

    /** The log's last lines, for failure messages. */
    public String logTail() {
        String s = log();
        return s.length() <= 6000 ? s : "..." + s.substring(s.length() - 6000);
    }

    /** SIGKILL for this process alone (its children, if any, are orphaned: use {@link #close()} for a tree). */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Kills the process and its descendants (SIGKILL) and waits for them to end. */
    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroyForcibly();
        tree.addAll(process.descendants().toList());
        tree.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(30, TimeUnit.SECONDS);
            for (ProcessHandle h : tree) {
                h.onExit().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            System.err.println("kill-child-jvms: " + name + ": " + e);
        }
        LIVE.remove(this);
    }
}
