package dev.sparkdit.datasets.spark;

import dev.sparkdit.datasets.OnBadRow;
import dev.sparkdit.datasets.PromptDefaults;
import dev.sparkdit.datasets.SyntheticPromptText;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticPromptsTest {

    @Test
    void writesNDistinctDeterministicRows(@TempDir Path dir) {
        SparkSession spark = LocalSpark.session();
        String first = dir.resolve("first").toString();
        SyntheticPrompts.write(spark, new SyntheticPromptOptions(1000, first, 9L, 32, 32, null, false));

        List<Row> rows = spark.read().parquet(first).orderBy(col("prompt_id")).collectAsList();
        assertEquals(1000, rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            // Distinct, in order, and each exactly what the seed and index give: the same on every run.
            assertEquals(SyntheticPromptText.id(i), r.getAs("prompt_id"));
            assertEquals(SyntheticPromptText.prompt(9L, i), r.getAs("prompt"));
            assertEquals(32, (int) r.getAs("width"));
            assertTrue(r.isNullAt(r.fieldIndex("steps")));
        }
        assertEquals("p0001000", rows.get(999).getAs("prompt_id"));

        // Every synthetic row is a valid prompt.
        CheckedPrompts checked = PromptTableReader.read(spark, first, PromptDefaults.of(1L, 1024, 1024, 4, 0.0),
                OnBadRow.FAIL);
        assertEquals(1000, checked.requests().count());

        IllegalArgumentException badWidth = assertThrows(IllegalArgumentException.class,
                () -> new SyntheticPromptOptions(10, first, 0L, 1000, null, null, false));
        assertEquals("width 1000 must be a multiple of 16 in 16..4096", badWidth.getMessage());
        assertThrows(Exception.class, () -> SyntheticPrompts.write(spark, SyntheticPromptOptions.of(10, first)),
                "an existing table is replaced only with overwrite");
    }
}
