package dev.sparkdit.datasets.spark;

import dev.sparkdit.datasets.ResultColumns;
import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.datasets.ResultStatus;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.List;

/**
 * The result table in Spark: its schema ({@link ResultColumns} in order, the same names and types as
 * the JSON lines of {@link dev.sparkdit.datasets.ResultJsonLines}), {@link ResultRow} to and from Spark
 * rows, and reading it back. Write it with Spark's own writer, which commits through Spark's output
 * protocol: {@code ResultTable.toDataFrame(spark, rows).write().mode(...).parquet(path)}.
 */
public final class ResultTable {

    public static final StructType SCHEMA = new StructType(new StructField[] {
            field(ResultColumns.PROMPT_ID, DataTypes.StringType, false),
            field(ResultColumns.SEED, DataTypes.LongType, false),
            field(ResultColumns.IMAGE_URI, DataTypes.StringType, true),
            field(ResultColumns.WIDTH, DataTypes.IntegerType, false),
            field(ResultColumns.HEIGHT, DataTypes.IntegerType, false),
            field(ResultColumns.STEPS, DataTypes.IntegerType, false),
            field(ResultColumns.GUIDANCE, DataTypes.DoubleType, false),
            field(ResultColumns.MODEL, DataTypes.StringType, false),
            field(ResultColumns.PARALLEL_PLAN, DataTypes.StringType, false),
            field(ResultColumns.LOAD_MS, DataTypes.DoubleType, false),
            field(ResultColumns.TOKENIZE_MS, DataTypes.DoubleType, false),
            field(ResultColumns.TEXT_ENCODE_MS, DataTypes.DoubleType, false),
            field(ResultColumns.STEP_MS, DataTypes.createArrayType(DataTypes.DoubleType, false), false),
            field(ResultColumns.DENOISE_MS, DataTypes.DoubleType, false),
            field(ResultColumns.DECODE_MS, DataTypes.DoubleType, false),
            field(ResultColumns.WRITE_MS, DataTypes.DoubleType, false),
            field(ResultColumns.TOTAL_MS, DataTypes.DoubleType, false),
            field(ResultColumns.CLIP_TOKENS_TRUNCATED, DataTypes.IntegerType, false),
            field(ResultColumns.T5_TOKENS_TRUNCATED, DataTypes.IntegerType, false),
            field(ResultColumns.HOST, DataTypes.StringType, false),
            field(ResultColumns.GPU_IDS, DataTypes.createArrayType(DataTypes.IntegerType, false), false),
            field(ResultColumns.GROUP, DataTypes.IntegerType, false),
            field(ResultColumns.ATTEMPT, DataTypes.IntegerType, false),
            field(ResultColumns.STATUS, DataTypes.StringType, false),
            field(ResultColumns.ERROR, DataTypes.StringType, true),
    });

    private static final String TABLE = "result table";

    private ResultTable() {
    }

    public static Row toRow(ResultRow r) {
        return new GenericRowWithSchema(new Object[] {r.promptId(), r.seed(), r.imageUri(), r.width(), r.height(),
                r.steps(), r.guidance(), r.model(), r.parallelPlan(), r.loadMs(), r.tokenizeMs(), r.textEncodeMs(),
                SparkValues.seq(r.stepMs()), r.denoiseMs(), r.decodeMs(), r.writeMs(), r.totalMs(),
                r.clipTokensTruncated(), r.t5TokensTruncated(), r.host(), SparkValues.seq(r.gpuIds()), r.group(),
                r.attempt(), r.status().wireName(), r.error()}, SCHEMA);
    }

    /** Reads a row of a Dataset with {@link #SCHEMA}'s columns (by name, in any order). */
    public static ResultRow fromRow(Row row) {
        return new ResultRow(
                (String) SparkValues.required(row, ResultColumns.PROMPT_ID),
                (Long) SparkValues.required(row, ResultColumns.SEED),
                (String) SparkValues.nullable(row, ResultColumns.IMAGE_URI),
                (Integer) SparkValues.required(row, ResultColumns.WIDTH),
                (Integer) SparkValues.required(row, ResultColumns.HEIGHT),
                (Integer) SparkValues.required(row, ResultColumns.STEPS),
                (Double) SparkValues.required(row, ResultColumns.GUIDANCE),
                (String) SparkValues.required(row, ResultColumns.MODEL),
                (String) SparkValues.required(row, ResultColumns.PARALLEL_PLAN),
                (Double) SparkValues.required(row, ResultColumns.LOAD_MS),
                (Double) SparkValues.required(row, ResultColumns.TOKENIZE_MS),
                (Double) SparkValues.required(row, ResultColumns.TEXT_ENCODE_MS),
                list(row, ResultColumns.STEP_MS),
                (Double) SparkValues.required(row, ResultColumns.DENOISE_MS),
                (Double) SparkValues.required(row, ResultColumns.DECODE_MS),
                (Double) SparkValues.required(row, ResultColumns.WRITE_MS),
                (Double) SparkValues.required(row, ResultColumns.TOTAL_MS),
                (Integer) SparkValues.required(row, ResultColumns.CLIP_TOKENS_TRUNCATED),
                (Integer) SparkValues.required(row, ResultColumns.T5_TOKENS_TRUNCATED),
                (String) SparkValues.required(row, ResultColumns.HOST),
                list(row, ResultColumns.GPU_IDS),
                (Integer) SparkValues.required(row, ResultColumns.GROUP),
                (Integer) SparkValues.required(row, ResultColumns.ATTEMPT),
                ResultStatus.fromWireName((String) SparkValues.required(row, ResultColumns.STATUS)),
                (String) SparkValues.nullable(row, ResultColumns.ERROR));
    }

    /** Result rows made on the executors (e.g. by the barrier stage), as a DataFrame to write. */
    public static Dataset<Row> toDataFrame(SparkSession spark, JavaRDD<ResultRow> rows) {
        return spark.createDataFrame(rows.map(ResultTable::toRow), SCHEMA);
    }

    /** A few result rows held by the driver, as a DataFrame to write. */
    public static Dataset<Row> toDataFrame(SparkSession spark, List<ResultRow> rows) {
        return spark.createDataFrame(rows.stream().map(ResultTable::toRow).toList(), SCHEMA);
    }

    /**
     * A result table written earlier (to resume, or to report on), with exactly {@link #SCHEMA}'s
     * columns in order.
     *
     * @throws UnreadableTableException when the path is missing, not Parquet, or lacks a result column
     *                                  or has one of another type
     */
    public static Dataset<Row> read(SparkSession spark, String path) {
        Dataset<Row> table = ParquetTables.open(spark, TABLE, path);
        ParquetTables.requireColumns(table.schema(), SCHEMA, TABLE, path);
        return table.select(Arrays.stream(SCHEMA.fieldNames()).map(functions::col).toArray(Column[]::new));
    }

    /**
     * Result rows that {@code render-group} wrote as JSON lines ({@code path}: a file, folder or glob),
     * read with {@link #SCHEMA}; a malformed line fails the read instead of becoming nulls.
     */
    public static Dataset<Row> readJsonLines(SparkSession spark, String path) {
        return spark.read().schema(SCHEMA).option("mode", "FAILFAST").json(path);
    }

    private static StructField field(String name, DataType type, boolean nullable) {
        return DataTypes.createStructField(name, type, nullable);
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Row row, String column) {
        SparkValues.required(row, column);
        return (List<T>) row.getList(row.fieldIndex(column));
    }
}
