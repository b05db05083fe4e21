package dev.sparkdit.job.spark;

import dev.sparkdit.io.AtomicFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Files through the Hadoop FileSystem API (local, HDFS, S3A alike), written under a temporary name in the target's
 * folder and renamed into place, so that a reader sees the whole file or none (on S3A the rename is a copy, still
 * never a half-written object under the final name).
 */
final class HadoopFiles {
    /** The start of a file's name while it is being written; a killed writer can leave one behind. */
    static final String TMP_PREFIX = "._tmp-";

    private HadoopFiles() {
    }

    /**
     * The file system for a path; on the local file system its raw form, because the checksummed one writes a
     * {@code .name.crc} file beside every image and row, which users then find among their PNGs.
     */
    static FileSystem fs(Path p, Configuration conf) throws IOException {
        FileSystem fs = p.getFileSystem(conf);
        return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
    }

    /** Whether a file name is a finished file's, not a temporary one of {@link #writeAtomically}. */
    static boolean finished(String name) {
        return !name.startsWith(TMP_PREFIX);
    }

    /** The finished files directly in {@code dir} (0 when it does not exist). */
    static long countFinished(FileSystem fs, Path dir) throws IOException {
        if (!fs.exists(dir)) {
            return 0;
        }
        long n = 0;
        for (FileStatus f : fs.listStatus(dir)) {
            if (f.isFile() && finished(f.getPath().getName())) {
                n++;
            }
        }
        return n;
    }

    /**
     * Deletes the temporary files in {@code dir} that writers killed mid-write left (an executor or driver killed
     * with SIGKILL runs no cleanup); call it only when no writer is at work there. Returns how many went.
     */
    static int deleteTemporary(FileSystem fs, Path dir) throws IOException {
        if (!fs.exists(dir)) {
            return 0;
        }
        int n = 0;
        for (FileStatus f : fs.listStatus(dir)) {
            if (f.isFile() && !finished(f.getPath().getName()) && fs.delete(f.getPath(), false)) {
                n++;
            }
        }
        return n;
    }

    static void writeAtomically(FileSystem fs, Path target, byte[] bytes) throws IOException {
        if (fs instanceof RawLocalFileSystem local) {
            writeLocally(local.pathToFile(target).toPath(), bytes);
            return;
        }
        Path tmp = new Path(target.getParent(), TMP_PREFIX + UUID.randomUUID() + "-" + target.getName());
        boolean done = false;
        try {
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                out.write(bytes);
                out.hsync();
            }
            if (fs.exists(target) && !fs.delete(target, false)) {
                throw new IOException("cannot replace " + target);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("rename of " + tmp + " to " + target + " failed");
            }
            done = true;
        } finally {
            if (!done) {
                fs.delete(tmp, false);
            }
        }
    }

    /**
     * The local file system's form of {@link #writeAtomically}, through java.nio: Hadoop's local file system, without
     * its native library (which Spark's Maven class path does not have), creates every file by forking a
     * {@code chmod} process, which cost ~10-20 ms per image and per row on a 2-core machine. Same temporary name, same
     * guarantees: the bytes are forced to disk before the rename, the rename replaces an existing file, and the folder
     * is forced after it so that an image's rename is durable before its row is written.
     */
    private static void writeLocally(java.nio.file.Path target, byte[] bytes) throws IOException {
        java.nio.file.Path folder = target.getParent();
        java.nio.file.Path tmp = folder.resolve(TMP_PREFIX + UUID.randomUUID() + "-" + target.getFileName());
        boolean done = false;
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer data = ByteBuffer.wrap(bytes);
                while (data.hasRemaining()) {
                    out.write(data);
                }
                out.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
        AtomicFiles.syncFolder(folder);
    }
}
