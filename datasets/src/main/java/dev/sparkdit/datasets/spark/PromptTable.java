package dev.sparkdit.datasets.spark;

import dev.sparkdit.datasets.PromptColumns;
import dev.sparkdit.datasets.PromptRow;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The prompt table as Spark sees it: the schema tables are written with, the column types a read
 * accepts, and {@link PromptRow} to and from Spark rows.
 *
 * <p>Accepted column types: {@code prompt_id}, {@code prompt}, {@code prompt_2} strings;
 * {@code seed}, {@code width}, {@code height}, {@code steps} any integer type (tinyint to bigint, so
 * pandas' int64 columns work); {@code guidance} float, double or an integer type. A float guidance is
 * taken at its shortest decimal ({@code 3.5f} is 3.5, {@code 0.1f} is 0.1, not 0.10000000149...).
 * Other columns are ignored.
 */
public final class PromptTable {

    /** The schema SparkDiT writes prompt tables with (samples, synthetic tables). */
    public static final StructType SCHEMA = new StructType(new StructField[] {
            DataTypes.createStructField(PromptColumns.PROMPT_ID, DataTypes.StringType, true),
            DataTypes.createStructField(PromptColumns.PROMPT, DataTypes.StringType, true),
            DataTypes.createStructField(PromptColumns.PROMPT_2, DataTypes.StringType, true),
            DataTypes.createStructField(PromptColumns.SEED, DataTypes.LongType, true),
            DataTypes.createStructField(PromptColumns.WIDTH, DataTypes.IntegerType, true),
            DataTypes.createStructField(PromptColumns.HEIGHT, DataTypes.IntegerType, true),
            DataTypes.createStructField(PromptColumns.STEPS, DataTypes.IntegerType, true),
            DataTypes.createStructField(PromptColumns.GUIDANCE, DataTypes.DoubleType, true),
    });

    private static final String TABLE = "prompt table";
    private static final String INTEGER_TYPES = "tinyint, smallint, int or bigint";

    private PromptTable() {
    }

    /** {@code row} in {@link #SCHEMA}'s column order. */
    public static Row toRow(PromptRow row) {
        return RowFactory.create(row.promptId(), row.prompt(), row.prompt2(), row.seed(), toInt(row.width()),
                toInt(row.height()), toInt(row.steps()), row.guidance());
    }

    /** A small in-memory table, for tests and samples; large tables come from Parquet. */
    public static Dataset<Row> toDataFrame(SparkSession spark, List<PromptRow> rows) {
        return spark.createDataFrame(rows.stream().map(PromptTable::toRow).toList(), SCHEMA);
    }

    /**
     * Checks a table's columns before any row is read.
     *
     * @throws UnreadableTableException naming every missing required column and every column of a
     *                                  type this table does not accept, with the types
     */
    public static void checkSchema(StructType schema, String path) {
        List<String> problems = new ArrayList<>();
        for (String name : PromptColumns.ALL) {
            StructField field = ParquetTables.field(schema, name);
            if (field == null) {
                if (PromptColumns.REQUIRED.contains(name)) {
                    problems.add("missing required column '" + name + "'" + caseHint(schema, name));
                }
            } else if (!accepts(name, field.dataType())) {
                problems.add("column '" + name + "' has type " + field.dataType().simpleString() + ", expected "
                        + expected(name));
            }
        }
        if (!problems.isEmpty()) {
            throw new UnreadableTableException(TABLE, path, String.join("; ", problems) + " (columns: "
                    + String.join(", ", schema.fieldNames()) + ")", null);
        }
    }

    /**
     * Reads one row whose fields are {@link PromptColumns#ALL} in order (any accepted types, null for
     * a missing column).
     */
    static PromptRow fromRow(Row row) {
        return new PromptRow(
                (String) row.get(0),
                (String) row.get(1),
                (String) row.get(2),
                toLong(row.get(3)),
                toLong(row.get(4)),
                toLong(row.get(5)),
                toLong(row.get(6)),
                toDouble(row.get(7)));
    }

    private static boolean accepts(String column, DataType type) {
        return switch (column) {
            case PromptColumns.PROMPT_ID, PromptColumns.PROMPT, PromptColumns.PROMPT_2 -> type instanceof StringType;
            case PromptColumns.GUIDANCE -> type instanceof FloatType || type instanceof DoubleType || isInteger(type);
            default -> isInteger(type);
        };
    }

    private static String expected(String column) {
        return switch (column) {
            case PromptColumns.PROMPT_ID, PromptColumns.PROMPT, PromptColumns.PROMPT_2 -> "string";
            case PromptColumns.GUIDANCE -> "float, double or an integer type";
            default -> "an integer type (" + INTEGER_TYPES + ")";
        };
    }

    private static boolean isInteger(DataType type) {
        return type instanceof ByteType || type instanceof ShortType || type instanceof IntegerType
                || type instanceof LongType;
    }

    /** Parquet written by hand often has "Prompt" or "PROMPT_ID"; say so rather than only "missing". */
    private static String caseHint(StructType schema, String name) {
        for (String present : schema.fieldNames()) {
            if (present.toLowerCase(Locale.ROOT).equals(name)) {
                return " (found '" + present + "': column names are case-sensitive)";
            }
        }
        return "";
    }

    private static Integer toInt(Long value) {
        return value == null ? null : Math.toIntExact(value);
    }

    private static Long toLong(Object value) {
        return value == null ? null : ((Number) value).longValue();
    }

    private static Double toDouble(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Float f) {
            // The float's shortest decimal, which is what the table's author typed.
            return Double.parseDouble(Float.toString(f));
        }
        return ((Number) value).doubleValue();
    }
}
