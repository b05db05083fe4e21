package dev.sparkdit.datasets.spark;

import dev.sparkdit.datasets.CheckedPrompt;
import dev.sparkdit.datasets.PromptColumns;
import dev.sparkdit.datasets.PromptDefaults;
import dev.sparkdit.datasets.PromptRules;
import dev.sparkdit.datasets.RejectedPrompt;
import dev.sparkdit.datasets.RenderRequest;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * {@link PromptRules#check} as a Spark map: takes the prompt columns plus the id's row count, gives a
 * row holding either a request or a reject (the other null), so one pass feeds both outputs.
 */
final class CheckPromptRow implements MapFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    static final String REQUEST = "request";
    static final String REJECT = "reject";
    /** Index of the id's row count, after the {@code PromptColumns.ALL} columns. */
    static final int ROWS_WITH_ID = PromptColumns.ALL.size();

    static final StructType SCHEMA = new StructType(new StructField[] {
            DataTypes.createStructField(REQUEST, RequestTable.SCHEMA, true),
            DataTypes.createStructField(REJECT, RejectTable.SCHEMA, true),
    });

    private final PromptDefaults defaults;

    CheckPromptRow(PromptDefaults defaults) {
        this.defaults = defaults;
    }

    @Override
    public Row call(Row row) {
        CheckedPrompt checked = PromptRules.check(PromptTable.fromRow(row), row.getLong(ROWS_WITH_ID), defaults);
        if (checked instanceof RenderRequest request) {
            return RowFactory.create(RequestTable.toRow(request), null);
        }
        return RowFactory.create(null, RejectTable.toRow((RejectedPrompt) checked));
    }
}
