package dev.sparkdit.datasets.spark;

import org.apache.spark.sql.SparkSession;

/**
 * One local SparkSession for every Spark test in the JVM: starting Spark costs seconds, and Surefire
 * runs all test classes in one fork. Spark's own shutdown hook stops it.
 */
final class LocalSpark {

    private LocalSpark() {
    }

    static SparkSession session() {
        return Holder.SESSION;
    }

    private static final class Holder {
        static final SparkSession SESSION = SparkSession.builder()
                .master("local[2]")
                .appName("datasets-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.default.parallelism", "2")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.session.timeZone", "UTC")
                .getOrCreate();
    }
}
