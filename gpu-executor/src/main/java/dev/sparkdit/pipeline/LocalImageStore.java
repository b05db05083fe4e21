package dev.sparkdit.pipeline;

import dev.sparkdit.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Images into one local folder, each written to a temporary name and renamed into place. */
public final class LocalImageStore implements ImageStore {
    private final Path folder;

    public LocalImageStore(Path folder) throws IOException {
        Files.createDirectories(folder);
        this.folder = folder;
    }

    @Override
    public String write(String fileName, byte[] png) throws IOException {
        Path target = resolve(fileName);
        AtomicFiles.write(target, png);
        return target.toAbsolutePath().toUri().toString();
    }

    @Override
    public boolean exists(String fileName) {
        return Files.isRegularFile(resolve(fileName));
    }

    private Path resolve(String fileName) {
        Path p = folder.resolve(fileName);
        if (!p.getParent().equals(folder) || fileName.contains("/") || fileName.contains("\\") || fileName.equals("..")) {
            throw new IllegalArgumentException("image file name must be a plain name, got '" + fileName + "'");
        }
        return p;
    }
}
