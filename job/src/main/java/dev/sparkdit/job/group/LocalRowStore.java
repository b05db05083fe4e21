package dev.sparkdit.job.group;

import dev.sparkdit.datasets.ResultJsonLines;
import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Row sidecars in a local folder, one JSON line each. */
public final class LocalRowStore implements RowStore {
    private final Path folder;

    public LocalRowStore(Path folder) throws IOException {
        Files.createDirectories(folder);
        this.folder = folder;
    }

    @Override
    public boolean has(String rowName) {
        return Files.isRegularFile(folder.resolve(rowName));
    }

    @Override
    public ResultRow read(String rowName) throws IOException {
        return ResultJsonLines.parseLine(Files.readString(folder.resolve(rowName), StandardCharsets.UTF_8).strip());
    }

    @Override
    public void write(String rowName, ResultRow row) throws IOException {
        AtomicFiles.write(folder.resolve(rowName), (ResultJsonLines.toLine(row) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
