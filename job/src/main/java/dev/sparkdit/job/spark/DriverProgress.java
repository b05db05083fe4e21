package dev.sparkdit.job.spark;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparkdit.json.Json;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress on the driver while the barrier stage runs: every few seconds the groups' progress files are summed into
 * one line: prompts done of total, images per second since the stage began, time left at that rate, failed prompts.
 */
final class DriverProgress implements AutoCloseable {
    private final JobPaths paths;
    private final long total;
    private final long doneBefore;
    private final PrintStream out;
    private final Thread thread;
    private final long start = System.nanoTime();
    private volatile boolean stop;
    private long[] last = {0, 0};

    DriverProgress(JobPaths paths, long total, long doneBefore, long intervalMs, PrintStream out) {
        this.paths = paths;
        this.total = total;
        this.doneBefore = doneBefore;
        this.out = out;
        this.thread = new Thread(() -> {
            while (!stop) {
                try {
                    Thread.sleep(intervalMs);
                    report();
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    out.println("sparkdit run: progress unreadable for now: " + e.getMessage());
                }
            }
        }, "sparkdit-progress");
        thread.setDaemon(true);
    }

    DriverProgress start() {
        thread.start();
        return this;
    }

    /** {done, failed} summed over the groups' files. */
    long[] read() throws IOException {
        FileSystem fs = HadoopFiles.fs(paths.progress(), paths.conf());
        long done = 0;
        long failed = 0;
        if (fs.exists(paths.progress())) {
            for (FileStatus f : fs.listStatus(paths.progress())) {
                String name = f.getPath().getName();
                if (!name.startsWith("group-") || !name.endsWith(".json")) {
                    continue;
                }
                try (FSDataInputStream in = fs.open(f.getPath())) {
                    JsonNode n = Json.mapper().readTree(in);
                    done += n.get("done").asLong();
                    failed += n.get("failed").asLong();
                }
            }
        }
        return new long[] {done, failed};
    }

    void report() throws IOException {
        long[] now = read();
        if (now[0] == last[0] && now[1] == last[1]) {
            return;
        }
        last = now;
        double seconds = (System.nanoTime() - start) / 1e9;
        long rendered = Math.max(0, now[0] - doneBefore);
        double rate = rendered / Math.max(seconds, 1e-9);
        long left = total - now[0] - now[1];
        String eta = rate > 0 ? duration(left / rate) : "unknown";
        out.printf(Locale.ROOT, "sparkdit run: %d/%d prompts done (%.0f%%), %.2f images/s, %s left, %d failed%n",
                now[0], total, 100.0 * now[0] / Math.max(total, 1), rate, eta, now[1]);
        out.flush();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
