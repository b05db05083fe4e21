package dev.sparkdit.datasets.spark;

import dev.sparkdit.datasets.BadPromptsException;
import dev.sparkdit.datasets.OnBadRow;
import dev.sparkdit.datasets.PromptDefaults;
import dev.sparkdit.datasets.PromptSeeds;
import dev.sparkdit.datasets.RejectedPrompt;
import dev.sparkdit.datasets.RenderRequest;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptTableReaderTest {

    private static final PromptDefaults DEFAULTS = PromptDefaults.of(42L, 1024, 768, 28, 3.5);

    /**
     * A table as users write them: pandas-style bigint width, smallint steps, float guidance, and no
     * prompt_2 or seed column at all.
     */
    private static final StructType USER_SCHEMA = new StructType()
            .add("prompt_id", DataTypes.StringType)
            .add("prompt", DataTypes.StringType)
            .add("width", DataTypes.LongType)
            .add("height", DataTypes.IntegerType)
            .add("steps", DataTypes.ShortType)
            .add("guidance", DataTypes.FloatType)
            .add("notes", DataTypes.StringType);

    private static final List<Row> USER_ROWS = List.of(
            RowFactory.create("plain", "a cat on a mat", null, null, null, null, "defaults everywhere"),
            RowFactory.create("own", "a dog", 32L, 48, (short) 4, 0.1f, null),
            RowFactory.create("dup", "first", null, null, null, null, null),
            RowFactory.create("dup", "second", null, null, null, null, null),
            RowFactory.create("dup", "third", 1000L, null, null, null, null),
            RowFactory.create(null, "no id", null, null, null, null, null),
            RowFactory.create("blank", "  ", null, null, null, null, null),
            RowFactory.create("wide", "x", 4112L, null, null, null, null),
            RowFactory.create("slow", "x", null, null, (short) 0, Float.NaN, null));

    @TempDir
    static Path shared;
    /** {@link #USER_ROWS} as Parquet, written once for the class: Spark writes cost seconds here. */
    private static String userTable;

    @BeforeAll
    static void writeUserTable() {
        userTable = shared.resolve("prompts").toString();
        LocalSpark.session().createDataFrame(USER_ROWS, USER_SCHEMA).coalesce(1).write().parquet(userTable);
    }

    @Test
    void splitsATableIntoRequestsAndRejectsWithReasons() {
        CheckedPrompts checked = PromptTableReader.read(LocalSpark.session(), userTable, DEFAULTS,
                OnBadRow.REJECT);

        assertEquals(List.of(RequestTable.SCHEMA.fieldNames()), List.of(checked.requests().schema().fieldNames()));
        Map<String, RenderRequest> requests = checked.requests().collectAsList().stream().map(RequestTable::fromRow)
                .collect(Collectors.toMap(RenderRequest::promptId, Function.identity()));
        assertEquals(Map.of(
                "plain", new RenderRequest("plain", "a cat on a mat", "a cat on a mat", PromptSeeds.derive(42L, "plain"),
                        1024, 768, 28, 3.5),
                // The float 0.1f is read as the 0.1 its author wrote.
                "own", new RenderRequest("own", "a dog", "a dog", PromptSeeds.derive(42L, "own"), 32, 48, 4, 0.1)),
                requests);

        List<RejectedPrompt> rejects = checked.rejects().collectAsList().stream().map(RejectTable::fromRow).toList();
        assertEquals(new HashSet<>(List.of(
                new RejectedPrompt("dup", "first", null, null, null, null, null, null, "prompt_id 'dup' appears 3 times"),
                new RejectedPrompt("dup", "second", null, null, null, null, null, null,
                        "prompt_id 'dup' appears 3 times"),
                new RejectedPrompt("dup", "third", null, null, "1000", null, null, null,
                        "width 1000 is not a multiple of 16; prompt_id 'dup' appears 3 times"),
                new RejectedPrompt(null, "no id", null, null, null, null, null, null, "prompt_id is null"),
                new RejectedPrompt("blank", "  ", null, null, null, null, null, null, "prompt is blank"),
                new RejectedPrompt("wide", "x", null, null, "4112", null, null, null, "width 4112 is outside 16..4096"),
                new RejectedPrompt("slow", "x", null, null, null, null, "0", "NaN",
                        "steps 0 is outside 1..1000; guidance NaN is not finite"))),
                new HashSet<>(rejects));
        assertEquals(7, rejects.size());
    }

    @Test
    void rejectsRoundTripThroughParquet(@TempDir Path dir) {
        SparkSession spark = LocalSpark.session();
        Dataset<Row> rejects = PromptTableReader.read(spark, userTable, DEFAULTS, OnBadRow.REJECT).rejects();
        String out = dir.resolve("rejects").toString();
        rejects.write().mode(SaveMode.ErrorIfExists).parquet(out);
        Dataset<Row> back = spark.read().parquet(out);
        assertEquals(List.of(RejectTable.SCHEMA.fieldNames()), List.of(back.schema().fieldNames()));
        assertEquals(new HashSet<>(rejects.collectAsList().stream().map(RejectTable::fromRow).toList()),
                new HashSet<>(back.collectAsList().stream().map(RejectTable::fromRow).toList()));
    }

    @Test
    void failPolicyListsBadRowsAndCountsThemAll() {
        BadPromptsException e = assertThrows(BadPromptsException.class,
                () -> PromptTableReader.read(LocalSpark.session(), userTable, DEFAULTS, OnBadRow.FAIL));
        assertEquals(7, e.badRows());
        assertEquals(7, e.listed().size());
        assertTrue(e.getMessage().startsWith("7 bad rows in prompt table " + userTable + " (on bad row: fail):\n"),
                e.getMessage());
        assertTrue(e.getMessage().contains("\n  prompt_id 'blank': prompt is blank"), e.getMessage());
    }

    @Test
    void readsAFolderOfFilesWithDifferentOptionalColumns(@TempDir Path dir) {
        SparkSession spark = LocalSpark.session();
        String path = dir.resolve("parts").toString();
        spark.createDataFrame(List.of(RowFactory.create("a", "with seed", 7L)),
                new StructType().add("prompt_id", DataTypes.StringType).add("prompt", DataTypes.StringType)
                        .add("seed", DataTypes.LongType)).write().parquet(path);
        spark.createDataFrame(List.of(RowFactory.create("b", "without")),
                new StructType().add("prompt_id", DataTypes.StringType).add("prompt", DataTypes.StringType))
                .write().mode(SaveMode.Append).parquet(path);
        Map<String, Long> seeds = PromptTableReader.read(spark, path, DEFAULTS, OnBadRow.FAIL).requests()
                .collectAsList().stream().map(RequestTable::fromRow)
                .collect(Collectors.toMap(RenderRequest::promptId, RenderRequest::seed));
        assertEquals(Map.of("a", 7L, "b", PromptSeeds.derive(42L, "b")), seeds);
    }

    @Test
    void anUnreadableTableFailsOnceNamingPathAndProblem(@TempDir Path dir) throws IOException {
        SparkSession spark = LocalSpark.session();
        String missing = dir.resolve("nowhere").toString();
        assertEquals("cannot read prompt table at " + missing + ": no such file or directory",
                unreadable(spark, missing));

        Path text = Files.writeString(dir.resolve("prompts.csv"), "prompt_id,prompt\na,b\n");
        String notParquet = unreadable(spark, text.toString());
        assertTrue(notParquet.startsWith("cannot read prompt table at " + text + ": not a readable Parquet table ("),
                notParquet);

        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertTrue(unreadable(spark, empty.toString()).startsWith("cannot read prompt table at " + empty
                + ": not a readable Parquet table ("));

        String wrong = dir.resolve("wrong").toString();
        spark.createDataFrame(List.of(RowFactory.create("a", "x", "1024")),
                new StructType().add("prompt_id", DataTypes.StringType).add("Prompt", DataTypes.StringType)
                        .add("width", DataTypes.StringType)).write().parquet(wrong);
        assertEquals("cannot read prompt table at " + wrong + ": missing required column 'prompt' (found 'Prompt': "
                + "column names are case-sensitive); column 'width' has type string, expected an integer type "
                + "(tinyint, smallint, int or bigint) (columns: prompt_id, Prompt, width)", unreadable(spark, wrong));
    }

    private static String unreadable(SparkSession spark, String path) {
        return assertThrows(UnreadableTableException.class,
                () -> PromptTableReader.read(spark, path, DEFAULTS, OnBadRow.REJECT)).getMessage();
    }
}
