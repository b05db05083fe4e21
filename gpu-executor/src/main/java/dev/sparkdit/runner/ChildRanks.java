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
    private volatile boolean closed;

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

    /**
     * Calls {@code then.accept(rank, status)}, on another thread, as soon as a child exits with a status other than
     * 0 while this object is open: rank 0 can then abort its communicators, since NCCL tells it nothing of a peer
     * process that died and it would wait in its collective until the timeout.
     */
    public void whenOneFails(java.util.function.BiConsumer<Integer, Integer> then) {
        for (int i = 0; i < children.size(); i++) {
            int rank = i + 1;
            children.get(i).onExit().thenAccept(p -> {
                if (!closed && p.exitValue() != 0) {
                    then.accept(rank, p.exitValue());
                }
            });
        }
    }

    /**
     * The children that have exited with a status other than 0, as {@code "rank 1 (pid 123) exited with status
     * 137"} (one per child, joined by {@code "; "}), waiting up to {@code grace} for a child that is exiting; empty
     * when none has. For the error of a run whose rank 0 failed: a child that died first is the cause.
     */
    public String failed(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < children.size(); i++) {
            Process p = children.get(i);
            p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (!p.isAlive() && p.exitValue() != 0) {
                out.add("rank " + (i + 1) + " (pid " + p.pid() + ") exited with status " + p.exitValue());
            }
        }
        return String.join("; ", out);
    }

    @Override
    public void close() {
        closed = true;
        for (Process p : children) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }
}
