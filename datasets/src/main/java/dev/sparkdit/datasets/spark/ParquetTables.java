package dev.sparkdit.datasets.spark;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Opening a Parquet table (a file, a folder of files, or a glob) with errors that say what is wrong. */
final class ParquetTables {

    private ParquetTables() {
    }

    /**
     * The table at {@code path}, schema merged over all its files (files written at different times
     * may each lack an optional column; without merging, Spark takes one file's schema and silently
     * drops the columns the others have).
     *
     * @throws UnreadableTableException when nothing is at {@code path} or it is not Parquet
     */
    static Dataset<Row> open(SparkSession spark, String table, String path) {
        if (path == null || path.isBlank()) {
            throw new UnreadableTableException(table, String.valueOf(path), "no path given", null);
        }
        try {
            Path hadoopPath = new Path(path);
            FileSystem fs = hadoopPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
            FileStatus[] matches = fs.globStatus(hadoopPath);
            if (matches == null || matches.length == 0) {
                throw new UnreadableTableException(table, path, "no such file or directory", null);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new UnreadableTableException(table, path, "cannot list it (" + firstLine(e) + ")", e);
        }
        try {
            return spark.read().option("mergeSchema", "true").parquet(path);
        } catch (Exception e) {
            // Spark reads the footers here: a text file, a corrupt file or a folder without Parquet
            // files all fail now, each with its own exception class and error condition.
            throw new UnreadableTableException(table, path, "not a readable Parquet table (" + firstLine(e) + ")",
                    e);
        }
    }

    /**
     * Checks that {@code actual} has every column of {@code expected} with the same type (nullability
     * aside: Spark reads every Parquet column as nullable). Extra columns are allowed.
     */
    static void requireColumns(StructType actual, StructType expected, String table, String path) {
        List<String> problems = new ArrayList<>();
        for (StructField want : expected.fields()) {
            StructField got = field(actual, want.name());
            if (got == null) {
                problems.add("missing column '" + want.name() + "' (" + want.dataType().simpleString() + ")");
            } else if (!sameIgnoringNullability(got.dataType(), want.dataType())) {
                problems.add("column '" + want.name() + "' has type " + got.dataType().simpleString() + ", expected "
                        + want.dataType().simpleString());
            }
        }
        if (!problems.isEmpty()) {
            throw new UnreadableTableException(table, path, String.join("; ", problems), null);
        }
    }

    static StructField field(StructType schema, String name) {
        for (StructField f : schema.fields()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return null;
    }

    private static boolean sameIgnoringNullability(DataType a, DataType b) {
        if (a instanceof ArrayType x && b instanceof ArrayType y) {
            return sameIgnoringNullability(x.elementType(), y.elementType());
        }
        return a.equals(b);
    }

    /** The first line of the first non-empty message in the cause chain: Spark's are long. */
    static String firstLine(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && !message.isBlank()) {
                return message.strip().lines().findFirst().orElse(message);
            }
        }
        return e.getClass().getSimpleName();
    }
}
