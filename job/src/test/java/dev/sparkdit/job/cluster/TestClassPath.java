package dev.sparkdit.job.cluster;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The test JVM's class path, entry by entry. Surefire starts the test JVM through a manifest-only jar, so
 * {@code java.class.path} is that one jar; the real entries are in {@code surefire.test.class.path}.
 */
public final class TestClassPath {
    private TestClassPath() {
    }

    public static List<Path> entries() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<Path> out = new ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) {
            if (!e.isBlank() && Files.exists(Path.of(e))) {
                out.add(Path.of(e).toAbsolutePath());
            }
        }
        return out;
    }

    /** The jars (what a fake SPARK_HOME's {@code jars/} links to). */
    public static List<Path> jars() {
        return entries().stream().filter(Files::isRegularFile).toList();
    }

    /** The class folders (the modules' {@code target/classes}; what executors get as extra class path). */
    public static List<Path> folders() {
        return entries().stream().filter(Files::isDirectory).toList();
    }

    /** The whole class path as one {@code -cp} value. */
    public static String asArgument() {
        return String.join(File.pathSeparator, entries().stream().map(Path::toString).toList());
    }

    /** The class folders as one value, for {@code spark.executor.extraClassPath}. */
    public static String foldersArgument() {
        return String.join(File.pathSeparator, folders().stream().map(Path::toString).toList());
    }
}
