package dev.sparkdit.job;

import org.apache.spark.sql.SparkSession;

/**
 * The one local SparkSession of the job module's tests (every test class runs in one JVM, and a JVM holds one
 * SparkContext): 4 task slots, as a barrier stage of 2 groups x 2 ranks needs, and 4 attempts per task, so that a
 * failed barrier attempt is retried as on a cluster. Spark's own shutdown hook stops it.
 */
public final class TestSpark {
    private TestSpark() {
    }

    public static SparkSession session() {
        return Holder.SESSION;
    }

    private static final class Holder {
        static final SparkSession SESSION = SparkSession.builder()
                .master("local[4,4]")
                .appName("sparkdit-job-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.default.parallelism", "2")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.session.timeZone", "UTC")
                .getOrCreate();
    }
}
