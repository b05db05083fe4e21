package dev.sparkdit.job.report;

import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.datasets.spark.ResultTable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.Iterator;
import java.util.function.Consumer;

/**
 * The report's only use of Spark: a result table in Parquet, streamed row by row to the driver. Nothing else in
 * this package names a Spark type, so {@code sparkdit report} loads, and reads JSON-lines files, without Spark.
 *
 * <p>The session is the active one if there is one (inside a Spark application), else a local one ({@code
 * local[2]}, no UI) that lives until the JVM exits. Rows arrive partition by partition, in each file's order.
 */
final class ParquetResults {

    private ParquetResults() {
    }

    /**
     * Hands every row of the result table at {@code path} (a folder, file or glob, any file system Hadoop knows)
     * to {@code sink}, in table order.
     *
     * @throws dev.sparkdit.datasets.spark.UnreadableTableException when there is no table, it is not Parquet, or
     *                                                              its columns are not the result table's
     */
    static void forEachRow(String path, Consumer<ResultRow> sink) {
        Dataset<Row> table = ResultTable.read(session(), path);
        Iterator<Row> rows = table.toLocalIterator();
        while (rows.hasNext()) {
            sink.accept(ResultTable.fromRow(rows.next()));
        }
    }

    private static SparkSession session() {
        return SparkSession.builder()
                .master("local[2]")
                .appName("sparkdit report")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
    }
}
