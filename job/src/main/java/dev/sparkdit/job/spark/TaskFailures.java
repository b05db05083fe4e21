package dev.sparkdit.job.spark;

import org.apache.spark.ExceptionFailure;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.io.PrintStream;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Says on the driver, while the job runs, when a task fails: the first failure of each stage attempt (in a barrier
 * stage the later ones are mostly its consequences: peers whose collective was aborted), as one line naming the task
 * and what it threw ({@code rank 1 of 4 failed: ...}), instead of leaving the user to find it in Spark's log. Tasks
 * Spark killed are not failures and are not reported. The line says whether Spark will try the stage again or
 * whether this was its last attempt ({@code spark.stage.maxConsecutiveAttempts}).
 */
final class TaskFailures extends SparkListener {
    /** Spark's default for {@code spark.stage.maxConsecutiveAttempts}. */
    static final int DEFAULT_MAX_ATTEMPTS = 4;

    private final PrintStream out;
    private final int maxAttempts;
    private final Set<String> attempts = new HashSet<>();
    private volatile String last;

    /** @param maxAttempts the stage attempts Spark makes ({@code spark.stage.maxConsecutiveAttempts}) */
    TaskFailures(PrintStream out, int maxAttempts) {
        this.out = out;
        this.maxAttempts = maxAttempts;
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (!(end.reason() instanceof ExceptionFailure failure)) {
            return;
        }
        String attempt = end.stageId() + "." + end.stageAttemptId();
        synchronized (this) {
            if (!attempts.add(attempt)) {
                return;
            }
            last = String.format(Locale.ROOT, "task %d of stage %d (attempt %d): %s", end.taskInfo().index(),
                    end.stageId(), end.stageAttemptId(), firstLine(failure.description(), failure.className()));
        }
        out.println("sparkdit run: " + last + "; " + next(end.stageAttemptId()));
        out.flush();
    }

    /** What happens after a failure in stage attempt {@code attempt} (0-based). */
    String next(int attempt) {
        if (attempt + 1 >= maxAttempts) {
            return String.format(Locale.ROOT, "that was attempt %d of %d (spark.stage.maxConsecutiveAttempts): the"
                    + " run fails, keeping the prompts already stored", attempt + 1, maxAttempts);
        }
        return String.format(Locale.ROOT, "Spark retries the stage (attempt %d of %d, spark.stage.maxConsecutiveAttempts),"
                + " and the retry skips the prompts already stored", attempt + 2, maxAttempts);
    }

    /** The first failure of the latest stage attempt that had one, or null. */
    String last() {
        return last;
    }

    private static String firstLine(String description, String className) {
        if (description == null || description.isBlank()) {
            return className;
        }
        String line = description.strip().lines().findFirst().orElse(description);
        return line.length() > 500 ? line.substring(0, 500) + "..." : line;
    }
}
