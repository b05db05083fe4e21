package dev.sparkdit.datasets.spark;

import dev.sparkdit.datasets.PromptColumns;
import dev.sparkdit.datasets.RejectedPrompt;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The rejects table: each bad prompt row with its original values as strings (so a row whose value
 * broke a rule is kept exactly as given) and the {@code reason}. Write it with
 * {@code rejects.write().mode(...).parquet(path)}.
 */
public final class RejectTable {

    public static final StructType SCHEMA = new StructType(new StructField[] {
            DataTypes.createStructField(PromptColumns.PROMPT_ID, DataTypes.StringType, true),
            DataTypes.createStructField(PromptColumns.PROMPT, DataTypes.StringType, true),
            DataTypes.createStructField(PromptColumns.PROMPT_2, DataTypes.StringType, true),
            DataTypes.createStructField(PromptColumns.SEED, DataTypes.StringType, true),
            DataTypes.createStructField(PromptColumns.WIDTH, DataTypes.StringType, true),
            DataTypes.createStructField(PromptColumns.HEIGHT, DataTypes.StringType, true),
            DataTypes.createStructField(PromptColumns.STEPS, DataTypes.StringType, true),
            DataTypes.createStructField(PromptColumns.GUIDANCE, DataTypes.StringType, true),
            DataTypes.createStructField(PromptColumns.REASON, DataTypes.StringType, false),
    });

    private RejectTable() {
    }

    public static Row toRow(RejectedPrompt r) {
        return new GenericRowWithSchema(new Object[] {r.promptId(), r.prompt(), r.prompt2(), r.seed(), r.width(),
                r.height(), r.steps(), r.guidance(), r.reason()}, SCHEMA);
    }

    /** Reads a row of a Dataset with {@link #SCHEMA}'s columns (by name, in any order). */
    public static RejectedPrompt fromRow(Row row) {
        return new RejectedPrompt(
                (String) SparkValues.nullable(row, PromptColumns.PROMPT_ID),
                (String) SparkValues.nullable(row, PromptColumns.PROMPT),
                (String) SparkValues.nullable(row, PromptColumns.PROMPT_2),
                (String) SparkValues.nullable(row, PromptColumns.SEED),
                (String) SparkValues.nullable(row, PromptColumns.WIDTH),
                (String) SparkValues.nullable(row, PromptColumns.HEIGHT),
                (String) SparkValues.nullable(row, PromptColumns.STEPS),
                (String) SparkValues.nullable(row, PromptColumns.GUIDANCE),
                (String) SparkValues.required(row, PromptColumns.REASON));
    }
}
