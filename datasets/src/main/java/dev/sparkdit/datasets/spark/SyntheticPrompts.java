package dev.sparkdit.datasets.spark;

import dev.sparkdit.datasets.SyntheticPromptText;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Writes a synthetic prompt table of any size ({@code sparkdit make-prompts}): ids {@code p0000001},
 * {@code p0000002}, ..., prompts from {@link SyntheticPromptText}. Rows are made on the executors from
 * {@code spark.range(rows)}; the driver never holds them.
 */
public final class SyntheticPrompts {

    /** Rows per Parquet file (about 50-100 MB of prompts): enough files to write and read in parallel. */
    static final long ROWS_PER_FILE = 1_000_000L;

    private SyntheticPrompts() {
    }

    /** Writes the table {@code options} describe, in {@link PromptTable#SCHEMA}. */
    public static void write(SparkSession spark, SyntheticPromptOptions options) {
        int files = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (options.rows() + ROWS_PER_FILE - 1) / ROWS_PER_FILE));
        spark.range(0, options.rows(), 1, files)
                .map(new MakeRow(options.seed(), options.width(), options.height(), options.steps()),
                        Encoders.row(PromptTable.SCHEMA))
                .write()
                .mode(options.overwrite() ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
                .parquet(options.out());
    }

    /** Row {@code index} of the table; a class, not a lambda, so what it captures is explicit. */
    private static final class MakeRow implements MapFunction<Long, Row> {
        private static final long serialVersionUID = 1L;

        private final long seed;
        private final Integer width;
        private final Integer height;
        private final Integer steps;

        MakeRow(long seed, Integer width, Integer height, Integer steps) {
            this.seed = seed;
            this.width = width;
            this.height = height;
            this.steps = steps;
        }

        @Override
        public Row call(Long index) {
            return RowFactory.create(SyntheticPromptText.id(index), SyntheticPromptText.prompt(seed, index), null,
                    null, width, height, steps, null);
        }
    }
}
