package dev.sparkdit.job.report;

import dev.sparkdit.datasets.ResultJsonLines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code submit/sparkdit} may run without Spark on the class path, and {@code Main} loads every {@code CliCommand}
 * through a ServiceLoader: the report command must load, list itself and read JSON lines there. These tests run
 * {@code Main} in a class loader that cannot see Spark, Scala, Hadoop or Parquet.
 */
class ReportWithoutSparkTest {

    private static final List<String> HIDDEN = List.of("org.apache.spark.", "scala.", "org.apache.hadoop.",
            "org.apache.parquet.");

    private static HidingClassLoader noSpark() {
        return new HidingClassLoader("no-spark", HIDDEN);
    }

    private static int runMain(ClassLoader loader, ByteArrayOutputStream out, ByteArrayOutputStream err,
                               String... args) throws ReflectiveOperationException {
        Method run = Class.forName("dev.sparkdit.cli.Main", true, loader)
                .getMethod("run", String[].class, PrintStream.class, PrintStream.class);
        return (int) run.invoke(null, args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void theLoaderReallyHidesSpark() {
        HidingClassLoader loader = noSpark();
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.spark.sql.SparkSession", false,
                loader));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("scala.Option", false, loader));
    }

    @Test
    void theCommandClassLoadsAndNamesNoSparkTypeInItsSignature() throws ReflectiveOperationException {
        Class<?> command = Class.forName(ReportCommand.class.getName(), true, noSpark());
        Object instance = command.getDeclaredConstructor().newInstance();
        assertEquals("dev.sparkdit.cli.CliCommand", command.getInterfaces()[0].getName());
        for (Field f : command.getDeclaredFields()) {
            assertNotSpark(f.getGenericType().getTypeName(), f.toString());
        }
        for (Method m : command.getDeclaredMethods()) {
            assertNotSpark(m.getGenericReturnType().getTypeName(), m.toString());
            for (Parameter p : m.getParameters()) {
                assertNotSpark(p.getParameterizedType().getTypeName(), m.toString());
            }
        }
        for (Constructor<?> c : command.getDeclaredConstructors()) {
            assertNotSpark(c.toGenericString(), c.toString());
        }
        assertTrue(instance.getClass().getClassLoader() instanceof HidingClassLoader);
    }

    @Test
    void mainListsTheCommandAndReportsOnJsonLinesWithoutSpark(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("group-0.jsonl");
        ResultJsonLines.write(file, ReportCommandTest.twoGpus());
        HidingClassLoader loader = noSpark();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, runMain(loader, out, err, "help"), err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("report"), out.toString(StandardCharsets.UTF_8));

        out.reset();
        err.reset();
        Path report = dir.resolve("report");
        int status = runMain(loader, out, err, "report", "--results", file.toString(), "--out", report.toString());
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        String html = Files.readString(report.resolve("index.html"));
        ReportCommandTest.checkImages(report, html);
        assertTrue(html.contains("7,200.0"), html);
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.spark.SparkContext", false,
                loader));
    }

    @Test
    void parquetWithoutSparkExitsTwoSayingSparkIsNeeded(@TempDir Path dir) throws Exception {
        Path table = dir.resolve("run");
        Files.createDirectories(table);
        Files.write(table.resolve("part-00000.parquet"), "PAR1".getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = runMain(noSpark(), out, err, "report", "--results", table.toString(), "--out",
                dir.resolve("r").toString());
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, status, message);
        assertTrue(message.contains("cannot read result table at " + table + ": reading Parquet needs Spark on the"
                + " class path"), message);
    }

    /** Class files name every class they use: only the Spark reader of this package may name Spark or Scala. */
    @Test
    void onlyTheParquetReaderNamesSpark() throws IOException, URISyntaxException {
        Path classes = Path.of(ReportCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/sparkdit/job/report");
        List<Path> files;
        try (Stream<Path> list = Files.list(classes)) {
            files = list.filter(p -> p.toString().endsWith(".class")).toList();
        }
        assertTrue(files.size() > 10, "found only " + files);
        boolean readerNamesSpark = false;
        for (Path f : files) {
            String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            boolean spark = bytes.contains("org/apache/spark") || bytes.contains("scala/");
            if (f.getFileName().toString().equals("ParquetResults.class")) {
                readerNamesSpark = spark;
            } else {
                assertFalse(spark, f + " names a Spark or Scala class");
            }
        }
        assertTrue(readerNamesSpark, "the byte search found no Spark name even in ParquetResults");
    }

    private static void assertNotSpark(String typeName, String where) {
        for (String prefix : HIDDEN) {
            assertFalse(typeName.startsWith(prefix) || typeName.contains("<" + prefix), where + " names " + typeName);
        }
    }
}
