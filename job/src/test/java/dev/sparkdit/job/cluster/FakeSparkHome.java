package dev.sparkdit.job.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A SPARK_HOME made from the test class path: {@code jars/} holds a symbolic link to every jar of it. Spark's
 * standalone Worker (in a local-cluster or a real one) builds each executor's class path from
 * {@code $SPARK_HOME/jars/*}; the modules' class folders, which a wildcard cannot name, go to executors through
 * {@code spark.executor.extraClassPath} ({@link TestClassPath#foldersArgument()}).
 */
public final class FakeSparkHome {
    private FakeSparkHome() {
    }

    /**
     * Creates {@code dir/jars/} with the links, replacing what an earlier run left there; returns {@code dir}.
     * Workers keep their executors' logs under {@code dir/work/}.
     */
    public static Path create(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> old = Files.walk(dir)) {
                for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Path jars = Files.createDirectories(dir.resolve("jars"));
        Set<String> names = new HashSet<>();
        for (Path jar : TestClassPath.jars()) {
            String name = jar.getFileName().toString();
            for (int i = 1; !names.add(name); i++) {
                name = i + "-" + jar.getFileName();
            }
            Files.createSymbolicLink(jars.resolve(name), jar);
        }
        Files.createDirectories(dir.resolve("conf"));
        return dir;
    }
}
