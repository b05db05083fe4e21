package dev.sparkdit.usp.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs one body per rank on its own thread and returns their results; bounded, so a hang fails. */
public final class Ranks {
    public interface Body<T> {
        T run(int rank) throws Exception;
    }

    private Ranks() {
    }

    public static <T> List<T> run(int n, long timeoutSeconds, Body<T> body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "rank");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                futures.add(pool.submit(() -> body.run(rank)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            List<T> out = new ArrayList<>();
            Throwable first = null;
            for (Future<T> f : futures) { // wait for every rank, so a failed test leaves nothing running
                try {
                    out.add(f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (first == null) {
                        first = c;
                    } else if (first != c) {
                        first.addSuppressed(c);
                    }
                } catch (TimeoutException e) {
                    throw new AssertionError("ranks did not finish within " + timeoutSeconds + " s", e);
                }
            }
            if (first instanceof Exception ex) {
                throw ex;
            }
            if (first instanceof Error err) {
                throw err;
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
