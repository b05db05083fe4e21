package dev.sparkdit.datasets.spark;

import dev.sparkdit.datasets.ResultJsonLines;
import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.datasets.ResultRows;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ResultTableTest {

    private static final List<ResultRow> ROWS = List.of(ResultRows.ok(), ResultRows.failed());

    private static HashSet<ResultRow> rowsOf(Dataset<Row> table) {
        return new HashSet<>(table.collectAsList().stream().map(ResultTable::fromRow).toList());
    }

    @Test
    void convertsWithoutASession() {
        for (ResultRow r : ROWS) {
            assertEquals(r, ResultTable.fromRow(ResultTable.toRow(r)));
        }
    }

    @Test
    void roundTripsThroughParquet(@TempDir Path dir) {
        SparkSession spark = LocalSpark.session();
        String path = dir.resolve("results").toString();
        // As the job will: rows made on the executors, written by Spark's committing writer.
        ResultTable.toDataFrame(spark, JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(ROWS, 2))
                .write().mode(SaveMode.ErrorIfExists).parquet(path);
        Dataset<Row> back = ResultTable.read(spark, path);
        assertEquals(List.of(ResultTable.SCHEMA.fieldNames()), List.of(back.schema().fieldNames()));
        assertEquals(new HashSet<>(ROWS), rowsOf(back));
    }

    @Test
    void sparkReadsTheJsonLinesAsTheSameRows(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("group-0.jsonl");
        ResultJsonLines.write(file, ROWS);
        Dataset<Row> read = ResultTable.readJsonLines(LocalSpark.session(), file.toString());
        assertEquals(new HashSet<>(ROWS), rowsOf(read));
    }

    @Test
    void aTableMissingAResultColumnIsRefused(@TempDir Path dir) {
        SparkSession spark = LocalSpark.session();
        String path = dir.resolve("partial").toString();
        ResultTable.toDataFrame(spark, ROWS).drop("total_ms").withColumn("steps", org.apache.spark.sql.functions.lit("4"))
                .write().parquet(path);
        assertEquals("cannot read result table at " + path + ": column 'steps' has type string, expected int; "
                        + "missing column 'total_ms' (double)",
                assertThrows(UnreadableTableException.class, () -> ResultTable.read(spark, path)).getMessage());
    }
}
