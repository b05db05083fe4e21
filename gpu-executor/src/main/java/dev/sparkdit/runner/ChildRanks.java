package dev.sparkdit.runner;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Ranks 1..N-1 as child JVMs of this one (rank 0): same Java, same class path, the command line
 * {@code dev.sparkdit.cli.Main <args of rank i>}; their output goes to this process's stderr. A child
 * that fails or outlives the timeout fails the run, and the others are killed: nothing is left behind.
 */
public final class ChildRanks implements AutoCloseable {
    private final List<Process> children = new ArrayList<>();

    private ChildRanks() {
    }

    public static ChildRanks start(int worldSize, IntFunction<List<String>> argsOfRank) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ChildRanks c = new ChildRanks();
        try {
            for (int rank = 1; rank < worldSize; rank++) {
                List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
                cmd.addAll(inheritedJvmOptions());
                cmd.add("dev.sparkdit.cli.Main");
                cmd.addAll(argsOfRank.apply(rank));
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                        .redirectError(ProcessBuilder.Redirect.INHERIT);
                // The launcher's stdout descriptor (cli.Main.STDOUT_FD_ENV) is not inherited by children: their
                // results come back in files, and fd 1 (this process's stderr) is where their messages belong.
                pb.environment().remove("SPARKDIT_STDOUT_FD");
                c.children.add(pb.start());
            }
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * This JVM's own options (heap, -XX:ErrorFile, JavaCPP's -D paths), so that a child rank runs as its parent
     * does; debugger and agent options are left out, since a second JVM cannot bind the same port. Run options
     * travel on the child's command line ({@code --conf}), not here.
     */
    static List<String> inheritedJvmOptions() {
        List<String> opts = new ArrayList<>();
        for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent") && !arg.startsWith("-Xrunjdwp")
                    && !arg.startsWith("-Djava.class.path")) {
                opts.add(arg);
            }
        }
        return opts;
    }

    /** Waits for every child; throws naming the first that failed or timed out. */
    public void await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < children.size(); i++) {
            Process p = children.get(i);
            long left = deadline - System.nanoTime();
            if (!p.waitFor(Math.max(left, 0), TimeUnit.NANOSECONDS)) {
                close();
                throw new IllegalStateException("rank " + (i + 1) + " (pid " + p.pid() + ") still running after "
                        + timeout.toSeconds() + " s: killed all ranks");
            }
            if (p.exitValue() != 0) {
                close();
                throw new IllegalStateException("rank " + (i + 1) + " (pid " + p.pid() + ") exited with status "
                        + p.exitValue() + " (its messages are above)");
            }
        }
    }

    @Override
    public void close() {
        for (Process p : children) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }
}
