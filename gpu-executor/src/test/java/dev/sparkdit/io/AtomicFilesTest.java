package dev.sparkdit.io;

import dev.sparkdit.images.GenerationParameters;
import dev.sparkdit.images.PngWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class AtomicFilesTest {

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesTheBytesAndLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("image.png");
        AtomicFiles.write(target, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        assertEquals(List.of("image.png"), names(dir));
        // A second render of the same image replaces the first.
        AtomicFiles.write(target, new byte[] {4, 5});
        assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(target));
        assertEquals(List.of("image.png"), names(dir));
    }

    @Test
    void pngWriterWritesTheEncodedBytes(@TempDir Path dir) throws IOException {
        GenerationParameters p = new GenerationParameters("x", 1L, 4, 0, 16, 16, "FLUX.1-schnell", "SparkDiT 0.1.0");
        float[] rgb = new float[3 * 16 * 16];
        Path target = dir.resolve("out.png");
        PngWriter.write(target, rgb, 16, 16, p);
        assertArrayEquals(PngWriter.encode(rgb, 16, 16, p), Files.readAllBytes(target));
        assertEquals(List.of("out.png"), names(dir));
    }

    @Test
    void aMissingFolderFailsNamingThePathAndCreatesNothing(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("no-such-folder").resolve("image.png");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, new byte[] {1}));
        assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
        assertFalse(Files.exists(target.getParent()));
        assertEquals(List.of(), names(dir));
    }

    @Test
    void aFailedRenameRemovesTheTemporaryFile(@TempDir Path dir) throws IOException {
        // The target is a non-empty folder: the bytes are written and synced, then the rename fails.
        Path target = dir.resolve("image.png");
        Files.createDirectory(target);
        Files.writeString(target.resolve("keep"), "x");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, new byte[100_000]));
        assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
        assertEquals(List.of("image.png"), names(dir));
        assertEquals(List.of("keep"), names(target));
    }

    @Test
    void aReadOnlyFolderFailsAndLeavesNothing(@TempDir Path dir) throws IOException {
        Path folder = Files.createDirectory(dir.resolve("locked"));
        assertTrue(folder.toFile().setWritable(false, false));
        try {
            Path target = folder.resolve("image.png");
            // As root, permissions do not stop writes: nothing to test then.
            assumeFalse(Files.isWritable(folder), "folder permissions are not enforced for this user (root?)");
            IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, new byte[] {1}));
            assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
            assertEquals(List.of(), names(folder));
        } finally {
            folder.toFile().setWritable(true, false);
        }
    }
}
