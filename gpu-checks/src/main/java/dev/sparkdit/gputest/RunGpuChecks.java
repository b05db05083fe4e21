package dev.sparkdit.gputest;

import dev.sparkdit.cli.Main;

/**
 * The kernel checks as a plain main, for a class path without the launcher:
 * {@code java -cp <bundle jars> dev.sparkdit.gputest.RunGpuChecks [filter]} is
 * {@code sparkdit gpu-tests --filter <filter>} (same loop, same summary line, exit 1 on a failure).
 */
public final class RunGpuChecks {
    private RunGpuChecks() {
    }

    public static void main(String[] args) {
        String[] argv = args.length > 0 ? new String[] {"gpu-tests", "--filter", args[0]} : new String[] {"gpu-tests"};
        System.exit(Main.run(argv, System.out, System.err));
    }
}
