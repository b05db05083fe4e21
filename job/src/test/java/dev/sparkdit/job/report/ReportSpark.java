package dev.sparkdit.job.report;

import org.apache.spark.sql.SparkSession;

/**
 * One local SparkSession for the report's tests (the command's reader then finds and reuses it). Spark's own
 * shutdown hook stops it.
 */
final class ReportSpark {

    private ReportSpark() {
    }

    static SparkSession session() {
        return Holder.SESSION;
    }

    private static final class Holder {
        static final SparkSession SESSION = SparkSession.builder()
                .master("local[2]")
                .appName("report-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.default.parallelism", "2")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.session.timeZone", "UTC")
                .getOrCreate();
    }
}
