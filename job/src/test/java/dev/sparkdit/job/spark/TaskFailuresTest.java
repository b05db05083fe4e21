package dev.sparkdit.job.spark;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the driver's failure line says comes next, by stage attempt. */
class TaskFailuresTest {

    @Test
    void eachAttemptButTheLastSaysSparkRetries() {
        TaskFailures f = new TaskFailures(new PrintStream(new ByteArrayOutputStream()), 3);
        assertEquals("Spark retries the stage (attempt 2 of 3, spark.stage.maxConsecutiveAttempts), and the retry"
                + " skips the prompts already stored", f.next(0));
        assertEquals("Spark retries the stage (attempt 3 of 3, spark.stage.maxConsecutiveAttempts), and the retry"
                + " skips the prompts already stored", f.next(1));
        assertEquals("that was attempt 3 of 3 (spark.stage.maxConsecutiveAttempts): the run fails, keeping the"
                + " prompts already stored", f.next(2));
    }

    @Test
    void oneAttemptIsAlsoTheLast() {
        TaskFailures f = new TaskFailures(new PrintStream(new ByteArrayOutputStream()), 1);
        assertEquals("that was attempt 1 of 1 (spark.stage.maxConsecutiveAttempts): the run fails, keeping the"
                + " prompts already stored", f.next(0));
    }
}
