package dev.sparkdit.datasets.spark;

import dev.sparkdit.datasets.OnBadRow;
import dev.sparkdit.datasets.PromptDefaults;
import dev.sparkdit.datasets.PromptRow;
import dev.sparkdit.datasets.SamplePrompts;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed sample table holds exactly the resource's prompts. With
 * {@code -Dsparkdit.writeSamples=true} it is rewritten first (after editing the prompts).
 */
class SamplePromptTableTest {

    /** Relative to the module, where Surefire runs. */
    private static final Path COMMITTED = Path.of("samples", "sample-prompts.parquet");

    @Test
    void committedTableMatchesTheResource() {
        SparkSession spark = LocalSpark.session();
        if (Boolean.getBoolean("sparkdit.writeSamples")) {
            SamplePromptTable.write(spark, COMMITTED.toAbsolutePath());
        }
        assertTrue(Files.isRegularFile(COMMITTED), COMMITTED.toAbsolutePath() + " is missing; run this test with "
                + "-Dsparkdit.writeSamples=true");
        List<Row> rows = spark.read().parquet(COMMITTED.toString()).orderBy(col("prompt_id")).collectAsList();
        List<PromptRow> read = rows.stream().map(r -> PromptRow.of(r.getAs("prompt_id"), r.getAs("prompt"))).toList();
        assertEquals(SamplePrompts.rows(), read, "the committed table differs from the resource; rewrite it with "
                + "-Dsparkdit.writeSamples=true");
        assertEquals(List.of(PromptTable.SCHEMA.fieldNames()),
                List.of(spark.read().parquet(COMMITTED.toString()).schema().fieldNames()));
        // And it passes validation as the job will read it.
        assertEquals(0, PromptTableReader.read(spark, COMMITTED.toString(), PromptDefaults.of(0L, 1024, 1024, 28, 3.5),
                OnBadRow.REJECT).rejects().count());
    }
}
