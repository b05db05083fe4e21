package dev.sparkdit.job.report;

import dev.sparkdit.datasets.ResultJsonLines;
import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.datasets.spark.UnreadableTableException;
import dev.sparkdit.io.IoMessages;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads one result table, whichever form it has, row by row:
 * <ul>
 *   <li>a local file (a path or a {@code file:} URI) starting with Parquet's magic {@code PAR1}: Parquet;</li>
 *   <li>any other local file: JSON lines ({@code render-group}'s rows, {@link ResultJsonLines});</li>
 *   <li>a local folder holding {@code .jsonl} or {@code .json} files and no {@code .parquet} file: each of them as
 *       JSON lines, in name order;</li>
 *   <li>any other folder, a glob that is not an existing path, a URI such as {@code hdfs://} or {@code s3a://}:
 *       Parquet through Spark ({@link ParquetResults}).</li>
 * </ul>
 * Only the Parquet path loads Spark. Every failure is an {@link UnreadableTableException} naming the path.
 */
final class ResultReader {
    private static final String TABLE = "result table";
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");
    private static final Pattern GLOB = Pattern.compile(".*[*?\\[{].*");
    private static final byte[] PARQUET_MAGIC = {'P', 'A', 'R', '1'};

    private ResultReader() {
    }

    /** Hands every row of the table at {@code path} to {@code sink}, in table order. */
    static void forEachRow(String path, Consumer<ResultRow> sink) {
        boolean fileUri = path.startsWith("file:");
        if (SCHEME.matcher(path).matches() && !fileUri) {
            parquet(path, sink);
            return;
        }
        Path local;
        try {
            local = fileUri ? Path.of(URI.create(path)) : Path.of(path);
        } catch (IllegalArgumentException e) {
            throw unreadable(path, "not a valid path (" + e.getMessage() + ")", e);
        }
        if (Files.isRegularFile(local)) {
            if (startsWithParquetMagic(path, local)) {
                parquet(path, sink);
            } else {
                jsonLines(path, local, null, sink);
            }
        } else if (Files.isDirectory(local)) {
            List<Path> json = jsonLinesFiles(path, local);
            if (json.isEmpty()) {
                parquet(path, sink);
            } else {
                for (Path file : json) {
                    jsonLines(path, file, file.getFileName().toString(), sink);
                }
            }
        } else if (Files.exists(local)) {
            throw unreadable(path, "neither a file nor a folder", null);
        } else if (GLOB.matcher(path).matches()) {
            parquet(path, sink);
        } else {
            throw unreadable(path, "no such file or directory", null);
        }
    }

    private static void parquet(String path, Consumer<ResultRow> sink) {
        try {
            ParquetResults.forEachRow(path, sink);
        } catch (NoClassDefFoundError e) {
            throw unreadable(path, "reading Parquet needs Spark on the class path (missing " + e.getMessage()
                    + "); run under spark-submit or with Spark's jars, or give render-group's JSON-lines files", e);
        } catch (UnreadableTableException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw unreadable(path, "a row breaks the result table's rules (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            throw unreadable(path, firstLine(e), e);
        }
    }

    private static boolean startsWithParquetMagic(String path, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(PARQUET_MAGIC.length), PARQUET_MAGIC);
        } catch (IOException e) {
            throw unreadable(path, IoMessages.describe(e), e);
        }
    }

    /** The folder's .jsonl/.json files in name order; empty when it holds any .parquet file or none of them. */
    private static List<Path> jsonLinesFiles(String path, Path dir) {
        List<Path> json = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                String name = f.getFileName().toString();
                if (name.startsWith(".") || name.startsWith("_") || !Files.isRegularFile(f)) {
                    continue;
                }
                if (name.endsWith(".parquet")) {
                    return List.of();
                }
                if (name.endsWith(".jsonl") || name.endsWith(".json")) {
                    json.add(f);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            IOException io = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            throw unreadable(path, "cannot list it (" + IoMessages.describe(io) + ")", e);
        }
        return json;
    }

    /** {@code name}: the file's name inside the folder {@code path}, for messages; null when path is the file. */
    private static void jsonLines(String path, Path file, String name, Consumer<ResultRow> sink) {
        String where = name == null ? "" : name + " ";
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                ResultRow row;
                try {
                    row = ResultJsonLines.parseLine(line);
                } catch (IllegalArgumentException e) {
                    throw unreadable(path, where + "line " + number + ": " + e.getMessage()
                            + " (JSON lines of result rows expected)", e);
                }
                sink.accept(row);
            }
        } catch (CharacterCodingException e) {
            throw unreadable(path, where + "neither Parquet nor UTF-8 text (JSON lines of result rows expected)", e);
        } catch (IOException e) {
            throw unreadable(path, where + IoMessages.describe(e), e);
        }
    }

    private static UnreadableTableException unreadable(String path, String problem, Throwable cause) {
        return new UnreadableTableException(TABLE, path, problem, cause);
    }

    private static String firstLine(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && !message.isBlank()) {
                return message.strip().lines().findFirst().orElse(message);
            }
        }
        return e.getClass().getSimpleName();
    }
}
