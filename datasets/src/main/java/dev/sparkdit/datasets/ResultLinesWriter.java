package dev.sparkdit.datasets;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends result rows to a JSON-lines file ({@link ResultJsonLines}) as they are produced. Each row is
 * flushed whole, so a render group that dies keeps every row it finished.
 */
public final class ResultLinesWriter implements Closeable {

    private final BufferedWriter out;

    private ResultLinesWriter(BufferedWriter out) {
        this.out = out;
    }

    /** A writer that replaces {@code file}. */
    public static ResultLinesWriter create(Path file) throws IOException {
        return new ResultLinesWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    }

    /** A writer that adds to {@code file}, creating it if needed (a retried group keeps earlier rows). */
    public static ResultLinesWriter openForAppend(Path file) throws IOException {
        return new ResultLinesWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND));
    }

    public void append(ResultRow row) throws IOException {
        out.write(ResultJsonLines.toLine(row));
        out.write('\n');
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
