package dev.sparkdit.datasets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultJsonLinesTest {

    @Test
    void roundTripsThroughAFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("results.jsonl");
        List<ResultRow> rows = List.of(ResultRows.ok(), ResultRows.failed());
        ResultJsonLines.write(file, rows);
        assertEquals(rows, ResultJsonLines.read(file));
        assertEquals(2, Files.readAllLines(file, StandardCharsets.UTF_8).size());
    }

    @Test
    void appendingKeepsEarlierRows(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("results.jsonl");
        try (ResultLinesWriter w = ResultLinesWriter.create(file)) {
            w.append(ResultRows.ok());
        }
        try (ResultLinesWriter w = ResultLinesWriter.openForAppend(file)) {
            w.append(ResultRows.failed());
        }
        assertEquals(List.of(ResultRows.ok(), ResultRows.failed()), ResultJsonLines.read(file));
    }

    @Test
    void keysAreTheColumnsInOrder() {
        String line = ResultJsonLines.toLine(ResultRows.ok());
        int at = -1;
        for (String column : ResultColumns.ALL) {
            int next = line.indexOf("\"" + column + "\":");
            assertTrue(next > at, () -> column + " out of order in " + line);
            at = next;
        }
        assertTrue(line.contains("\"step_ms\":[10.5,9.75,9.5,9.625]"), line);
        assertTrue(line.contains("\"gpu_ids\":[0,1]"), line);
        assertTrue(line.contains("\"status\":\"ok\",\"error\":null"), line);
        assertTrue(!line.contains("\n"));
    }

    @Test
    void badLinesNameTheKeyAndTheLine(@TempDir Path dir) throws IOException {
        String good = ResultJsonLines.toLine(ResultRows.ok());
        assertEquals("missing key 'host'", assertThrows(IllegalArgumentException.class,
                () -> ResultJsonLines.parseLine(good.replace("\"host\":\"gpu-host-1\",", ""))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ResultJsonLines.parseLine(good.replace("{", "{\"extra\":1,"))).getMessage()
                .startsWith("unknown key 'extra'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ResultJsonLines.parseLine(good.replace("{", "{\"steps\":5,"))).getMessage()
                .startsWith("not JSON: Duplicate field 'steps'"));
        assertEquals("key 'seed' must be a 64-bit integer, got 1.0E20", assertThrows(IllegalArgumentException.class,
                () -> ResultJsonLines.parseLine(good.replace("\"seed\":8754116879127236929", "\"seed\":1e20")))
                .getMessage());
        assertEquals("key 'steps' must be a 32-bit integer, got \"4\"", assertThrows(IllegalArgumentException.class,
                () -> ResultJsonLines.parseLine(good.replace("\"steps\":4", "\"steps\":\"4\""))).getMessage());
        assertEquals("key 'step_ms entry' must be a number, got \"x\"", assertThrows(IllegalArgumentException.class,
                () -> ResultJsonLines.parseLine(good.replace("[10.5,", "[\"x\","))).getMessage());

        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, good + "\n\n" + good.replace("\"width\":32", "\"width\":32.5") + "\n");
        assertEquals(file + " line 3: key 'width' must be a 32-bit integer, got 32.5",
                assertThrows(IllegalArgumentException.class, () -> ResultJsonLines.read(file)).getMessage());
    }
}
