package dev.sparkdit.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Whole-file writes that readers never see half done: a reader of the target path finds either the
 * old file (or none) or the complete new one, also after a crash.
 *
 * <p>The bytes go to a hidden temporary file in the target's folder ({@code .<name>.<random>.tmp}, so
 * the rename never crosses file systems), which is fsynced, closed and renamed onto the target with
 * {@link StandardCopyOption#ATOMIC_MOVE} (replacing an existing file, as POSIX rename does); then the
 * folder is fsynced so the rename itself survives a crash. On any failure the temporary file is
 * deleted and an {@link IOException} naming the target is thrown.
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {
    }

    /** Writes {@code bytes} to {@code target} atomically (see the class comment). */
    public static void write(Path target, byte[] bytes) throws IOException {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(bytes, "bytes");
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        if (folder == null || absolute.getFileName() == null) {
            throw new IOException("cannot write " + target + ": not a file path");
        }
        Path temporary = null;
        try {
            temporary = createTemporary(folder, absolute.getFileName().toString());
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer data = ByteBuffer.wrap(bytes);
                while (data.hasRemaining()) {
                    channel.write(data);
                }
                channel.force(true);
            }
            Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE);
            temporary = null;
        } catch (IOException | RuntimeException e) {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new IOException("cannot write " + target + ": " + e, e);
        }
        syncFolder(folder);
    }

    /** A new empty file with the process's default permissions (createTempFile would make it owner-only). */
    public static Path createTemporary(Path folder, String name) throws IOException {
        while (true) {
            Path candidate = folder.resolve("." + name + "." + HexFormat.of().toHexDigits(RANDOM.nextLong()) + ".tmp");
            try {
                Files.newByteChannel(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return candidate;
            } catch (FileAlreadyExistsException taken) {
                // Another writer drew the same 64 random bits; draw again.
            }
        }
    }

    /**
     * Makes the rename durable. Best effort: the file is already complete and in place, and some file
     * systems and platforms (Windows) cannot open a folder for fsync; that loses durability across a
     * power cut, never atomicity.
     */
    public static void syncFolder(Path folder) {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // See the comment above: nothing a caller could do differently.
        }
    }
}
