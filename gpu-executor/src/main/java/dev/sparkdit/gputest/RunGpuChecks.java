package dev.sparkdit.gputest;

import java.util.List;
import java.util.Locale;

/**
 * Runs {@link KernelChecks#all()} on a GPU box and prints one line per check; exits 1 if any failed.
 * Optional argument: a substring; only checks whose name contains it run.
 * {@code java -cp <bundle jars> dev.sparkdit.gputest.RunGpuChecks [filter]}
 */
public final class RunGpuChecks {
    private RunGpuChecks() {
    }

    public static void main(String[] args) {
        String filter = args.length > 0 ? args[0].toLowerCase(Locale.ROOT) : "";
        List<GpuCheck> checks = KernelChecks.all();
        int failed = 0, ran = 0;
        try {
            for (GpuCheck c : checks) {
                if (!c.name().toLowerCase(Locale.ROOT).contains(filter)) {
                    continue;
                }
                ran++;
                long t0 = System.nanoTime();
                try {
                    c.run();
                    System.out.printf(Locale.ROOT, "PASS %-60s %8.1f ms%n", c.name(), (System.nanoTime() - t0) / 1e6);
                } catch (Throwable e) {
                    failed++;
                    System.out.printf(Locale.ROOT, "FAIL %-60s %s%n", c.name(), e);
                    if (!(e instanceof AssertionError)) {
                        e.printStackTrace(System.out);
                    }
                }
            }
        } finally {
            GpuFixture.close();
        }
        System.out.println(ran - failed + " of " + ran + " checks passed");
        if (failed > 0) {
            System.exit(1);
        }
    }
}
