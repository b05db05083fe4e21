package dev.sparkdit.datasets.spark;

import dev.sparkdit.datasets.BadPromptsException;
import dev.sparkdit.datasets.OnBadRow;
import dev.sparkdit.datasets.PromptColumns;
import dev.sparkdit.datasets.PromptDefaults;
import dev.sparkdit.datasets.RejectedPrompt;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

/**
 * Reads a prompt table and validates it on the executors: {@link dev.sparkdit.datasets.PromptRules} in
 * a map, duplicate ids counted by a window aggregation over {@code prompt_id}. Nothing is collected to
 * the driver except, under {@link OnBadRow#FAIL}, the few bad rows the exception lists.
 */
public final class PromptTableReader {

    private PromptTableReader() {
    }

    /**
     * Reads the Parquet table at {@code path} (a file, a folder of files, or a glob) and validates it.
     *
     * @throws UnreadableTableException when the path is missing, is not Parquet, lacks a required column
     *                                  or has a column of the wrong type
     * @throws BadPromptsException      when {@code onBadRow} is FAIL and a row is bad (this runs a Spark
     *                                  job; REJECT runs nothing until the results are used)
     */
    public static CheckedPrompts read(SparkSession spark, String path, PromptDefaults defaults, OnBadRow onBadRow) {
        return validate(ParquetTables.open(spark, "prompt table", path), path, defaults, onBadRow);
    }

    /**
     * Validates a prompt table that is already a DataFrame (any source).
     *
     * @param source where the table came from, for messages
     */
    public static CheckedPrompts validate(Dataset<Row> table, String source, PromptDefaults defaults,
                                          OnBadRow onBadRow) {
        if (defaults == null || onBadRow == null) {
            throw new IllegalArgumentException("defaults and onBadRow must be given, got " + defaults + " and "
                    + onBadRow);
        }
        PromptTable.checkSchema(table.schema(), source);
        List<Column> columns = new ArrayList<>();
        for (String name : PromptColumns.ALL) {
            boolean present = ParquetTables.field(table.schema(), name) != null;
            columns.add(present ? table.col(name) : lit(null).as(name));
        }
        // Every row learns how many rows share its id; only a shuffle by id can see them all.
        columns.add(count(lit(1)).over(Window.partitionBy(table.col(PromptColumns.PROMPT_ID))).as("rows_with_id"));
        Dataset<Row> checked = table.select(columns.toArray(Column[]::new))
                .map(new CheckPromptRow(defaults), Encoders.row(CheckPromptRow.SCHEMA));
        CheckedPrompts out = new CheckedPrompts(
                checked.filter(col(CheckPromptRow.REQUEST).isNotNull()).select(CheckPromptRow.REQUEST + ".*"),
                checked.filter(col(CheckPromptRow.REJECT).isNotNull()).select(CheckPromptRow.REJECT + ".*"));
        if (onBadRow == OnBadRow.FAIL) {
            failOnRejects(out.rejects(), source);
        }
        return out;
    }

    private static void failOnRejects(Dataset<Row> rejects, String source) {
        List<Row> first = rejects.limit(BadPromptsException.MAX_LISTED).collectAsList();
        if (first.isEmpty()) {
            return;
        }
        long total = first.size() < BadPromptsException.MAX_LISTED ? first.size() : rejects.count();
        List<RejectedPrompt> listed = first.stream().map(RejectTable::fromRow).toList();
        throw new BadPromptsException(source, total, listed);
    }
}
