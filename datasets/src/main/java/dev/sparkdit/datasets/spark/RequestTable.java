package dev.sparkdit.datasets.spark;

import dev.sparkdit.datasets.PromptColumns;
import dev.sparkdit.datasets.RenderRequest;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Validated render requests as Spark rows: what {@link PromptTableReader} hands the job. The columns
 * are the prompt table's with every value filled in ({@code prompt_2} too).
 */
public final class RequestTable {

    public static final StructType SCHEMA = new StructType(new StructField[] {
            DataTypes.createStructField(PromptColumns.PROMPT_ID, DataTypes.StringType, false),
            DataTypes.createStructField(PromptColumns.PROMPT, DataTypes.StringType, false),
            DataTypes.createStructField(PromptColumns.PROMPT_2, DataTypes.StringType, false),
            DataTypes.createStructField(PromptColumns.SEED, DataTypes.LongType, false),
            DataTypes.createStructField(PromptColumns.WIDTH, DataTypes.IntegerType, false),
            DataTypes.createStructField(PromptColumns.HEIGHT, DataTypes.IntegerType, false),
            DataTypes.createStructField(PromptColumns.STEPS, DataTypes.IntegerType, false),
            DataTypes.createStructField(PromptColumns.GUIDANCE, DataTypes.DoubleType, false),
    });

    private RequestTable() {
    }

    public static Row toRow(RenderRequest r) {
        return new GenericRowWithSchema(new Object[] {r.promptId(), r.prompt(), r.prompt2(), r.seed(), r.width(),
                r.height(), r.steps(), r.guidance()}, SCHEMA);
    }

    /** Reads a row of a Dataset with {@link #SCHEMA}'s columns (by name, in any order). */
    public static RenderRequest fromRow(Row row) {
        return new RenderRequest(
                (String) SparkValues.required(row, PromptColumns.PROMPT_ID),
                (String) SparkValues.required(row, PromptColumns.PROMPT),
                (String) SparkValues.required(row, PromptColumns.PROMPT_2),
                (Long) SparkValues.required(row, PromptColumns.SEED),
                (Integer) SparkValues.required(row, PromptColumns.WIDTH),
                (Integer) SparkValues.required(row, PromptColumns.HEIGHT),
                (Integer) SparkValues.required(row, PromptColumns.STEPS),
                (Double) SparkValues.required(row, PromptColumns.GUIDANCE));
    }
}
