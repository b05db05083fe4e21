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
        return dev.sparkdit.job.TestSpark.session();
    }
}
