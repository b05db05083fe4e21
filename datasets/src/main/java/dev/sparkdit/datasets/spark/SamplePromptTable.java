package dev.sparkdit.datasets.spark;

import dev.sparkdit.datasets.SamplePrompts;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes {@link SamplePrompts#rows()} as one Parquet file: the committed
 * {@code datasets/samples/sample-prompts.parquet}, which {@code SamplePromptTableTest} keeps equal to
 * the resource. After editing the prompts, that test rewrites the file when asked to (from the
 * repository root): {@code mvn -o -q -pl datasets test -Dtest=SamplePromptTableTest -Dsparkdit.writeSamples=true}.
 */
public final class SamplePromptTable {

    private SamplePromptTable() {
    }

    /**
     * Writes the sample table to the single file {@code file} on the local file system, replacing it.
     * Spark writes a folder of part files; the one part file is moved to {@code file}.
     */
    public static void write(SparkSession spark, Path file) {
        Path folder = file.resolveSibling(file.getFileName() + ".tmp-" + System.nanoTime());
        try {
            PromptTable.toDataFrame(spark, SamplePrompts.rows())
                    .coalesce(1)
                    .write()
                    .mode(SaveMode.ErrorIfExists)
                    .parquet(folder.toUri().toString());
            List<Path> parts = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, "part-*.parquet")) {
                entries.forEach(parts::add);
            }
            if (parts.size() != 1) {
                throw new IllegalStateException("expected one part file in " + folder + ", found " + parts);
            }
            Files.move(parts.get(0), file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the sample prompt table to " + file, e);
        } finally {
            deleteRecursively(folder);
        }
    }

    private static void deleteRecursively(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("removing " + folder, e);
        }
    }
}
