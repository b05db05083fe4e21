package dev.sparkdit.datasets;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code render-group} loads this package on GPU boxes that have no Spark (and no Scala): no class of it
 * may name one. Class files name every class they use in their constant pool, so a byte search finds
 * any reference.
 */
class SparkFreeCoreTest {

    @Test
    void coreClassesNameNoSparkOrScalaClass() throws IOException, URISyntaxException {
        Path classes = Path.of(SamplePrompts.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/sparkdit/datasets");
        List<Path> core;
        try (Stream<Path> files = Files.list(classes)) {
            core = files.filter(p -> p.toString().endsWith(".class")).toList();
        }
        assertTrue(core.size() > 10, "found only " + core);
        for (Path file : core) {
            String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            assertEquals(-1, bytes.indexOf("org/apache/spark"), file + " refers to Spark");
            assertEquals(-1, bytes.indexOf("scala/"), file + " refers to Scala");
        }
    }
}
