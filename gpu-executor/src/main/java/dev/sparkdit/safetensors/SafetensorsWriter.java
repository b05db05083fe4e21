package dev.sparkdit.safetensors;

import dev.sparkdit.io.AtomicFiles;

import dev.sparkdit.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * Writes safetensors files in the reference layout: the header JSON padded with spaces to a multiple
 * of 8 bytes, then the tensors contiguous in the given order.
 *
 * <p>Two sources of bytes: {@link HostTensor}s already in memory ({@link #write(Path, Map, Map)}), or a
 * {@link TensorBytes} producer asked for chunks of {@value #CHUNK_BYTES} bytes that worker threads write straight
 * to their place in the file ({@link #write(Path, List, Map, TensorBytes, int, LongConsumer)}): memory stays at
 * threads x one chunk whatever the file's size, which is how a 24 GB FLUX transformer is written with a small heap.
 *
 * <p>Either way the file is written to a hidden temporary file in the target's folder
 * ({@code .<name>.<random>.tmp}), forced to disk, and renamed over the target atomically; then the folder is
 * forced. A reader sees the old file or the complete new one, and a failure part way leaves no half-written file
 * behind.
 */
public final class SafetensorsWriter {
    /** Bytes a {@link TensorBytes} producer is asked for at a time (the last chunk of a tensor may be shorter). */
    public static final int CHUNK_BYTES = 4 << 20;


    private SafetensorsWriter() {
    }

    public static void write(Path target, Map<String, HostTensor> tensors) throws IOException {
        write(target, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} (name to tensor, in iteration order: pass a {@link LinkedHashMap} to choose it) and
     * {@code metadata} (omitted from the header when empty) to {@code target}, replacing any file there.
     */
    public static void write(Path target, Map<String, HostTensor> tensors, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(tensors, "tensors");
        List<TensorSpec> specs = new ArrayList<>(tensors.size());
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            HostTensor t = e.getValue();
            if (e.getKey() == null || t == null) {
                throw new IllegalArgumentException("tensor names and tensors must not be null, got " + e.getKey()
                        + " -> " + t);
            }
            specs.add(new TensorSpec(e.getKey(), t.dtype(), t.shape()));
        }
        writeAtomically(target, header(specs, metadata), (out, dataStart) -> {
            out.position(dataStart);
            for (HostTensor t : tensors.values()) {
                writeFully(out, t.data());
            }
        });
    }

    /**
     * Writes {@code tensors} in this order with bytes from {@code bytes}, {@code threads} chunks at a time (1: all
     * in the calling thread), to {@code target}, replacing any file there. {@code progress} (may be null) is told
     * the bytes of each chunk once it is in the file, from the thread that wrote it. An exception of the producer
     * stops the write and is rethrown as it was.
     */
    public static void write(Path target, List<TensorSpec> tensors, Map<String, String> metadata, TensorBytes bytes,
                             int threads, LongConsumer progress) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        byte[] header = header(tensors, metadata);
        List<Chunk> chunks = new ArrayList<>();
        long at = 0;
        for (TensorSpec t : tensors) {
            long perChunk = CHUNK_BYTES / t.dtype().bytes();
            long n = t.numel();
            for (long first = 0; first < n; first += perChunk) {
                int elements = (int) Math.min(perChunk, n - first);
                chunks.add(new Chunk(t, first, elements, at + first * t.dtype().bytes()));
            }
            at += t.byteSize();
        }
        writeAtomically(target, header, (out, dataStart) -> writeChunks(out, dataStart, chunks, bytes, threads,
                progress == null ? b -> { } : progress));
    }

    private record Chunk(TensorSpec tensor, long firstElement, int elements, long dataOffset) {
        int bytes() {
            return elements * tensor.dtype().bytes();
        }
    }

    private static void writeChunks(FileChannel out, long dataStart, List<Chunk> chunks, TensorBytes bytes, int threads,
                                    LongConsumer progress) throws IOException {
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        int workers = Math.min(threads, Math.max(1, chunks.size()));
        if (workers == 1) {
            writeWorker(out, dataStart, chunks, bytes, progress, next, failed);
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "safetensors-writer");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                done.add(pool.submit(() -> {
                    try {
                        writeWorker(out, dataStart, chunks, bytes, progress, next, failed);
                    } catch (IOException | RuntimeException | Error e) {
                        failed.set(true);
                        throw e;
                    }
                    return null;
                }));
            }
            Throwable first = null;
            for (Future<Void> f : done) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause();
                    } else if (first != e.getCause()) {
                        first.addSuppressed(e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failed.set(true);
                    throw new IOException("interrupted while writing", e);
                }
            }
            if (first instanceof IOException io) {
                throw io;
            }
            if (first instanceof RuntimeException r) {
                throw r;
            }
            if (first instanceof Error err) {
                throw err;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Takes chunks until none is left (or another worker failed), each produced into one reused direct buffer. */
    private static void writeWorker(FileChannel out, long dataStart, List<Chunk> chunks, TensorBytes bytes,
                                    LongConsumer progress, AtomicInteger next, AtomicBoolean failed)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = next.getAndIncrement(); i < chunks.size() && !failed.get(); i = next.getAndIncrement()) {
            Chunk c = chunks.get(i);
            buffer.clear().limit(c.bytes());
            bytes.fill(c.tensor(), c.firstElement(), buffer);
            if (buffer.hasRemaining()) {
                throw new IllegalStateException("the producer of tensor '" + c.tensor().name() + "' left "
                        + buffer.remaining() + " of " + c.bytes() + " bytes unwritten at element " + c.firstElement());
            }
            buffer.flip();
            long position = dataStart + c.dataOffset();
            while (buffer.hasRemaining()) {
                position += out.write(buffer, position);
            }
            progress.accept(c.bytes());
        }
    }

    private interface DataWriter {
        void write(FileChannel out, long dataStart) throws IOException;
    }

    private static void writeAtomically(Path target, byte[] header, DataWriter data) throws IOException {
        Objects.requireNonNull(target, "target");
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        Path tmp = AtomicFiles.createTemporary(folder, absolute.getFileName().toString());
        boolean moved = false;
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(out, ByteBuffer.allocate(SafetensorsHeader.PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(0, header.length));
                writeFully(out, ByteBuffer.wrap(header));
                data.write(out, SafetensorsHeader.PREFIX_BYTES + (long) header.length);
                out.force(true);
            }
            Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
        AtomicFiles.syncFolder(folder);
    }

    /**
     * The header bytes (JSON, space-padded to a multiple of 8) for these tensors, stored contiguously in this order,
     * and metadata.
     */
    static byte[] header(List<TensorSpec> tensors, Map<String, String> metadata) {
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        Map<String, Object> root = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            Map<String, Object> meta = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("metadata keys and values must not be null, got "
                            + e.getKey() + " -> " + e.getValue());
                }
                meta.put(e.getKey(), e.getValue());
            }
            root.put(SafetensorsHeader.METADATA_KEY, meta);
        }
        long offset = 0;
        for (TensorSpec t : tensors) {
            if (t == null) {
                throw new IllegalArgumentException("tensors must not be null");
            }
            if (t.name().equals(SafetensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("'" + SafetensorsHeader.METADATA_KEY
                        + "' is reserved for metadata and cannot name a tensor");
            }
            if (root.containsKey(t.name())) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' is listed twice");
            }
            List<Long> shape = new ArrayList<>();
            for (long d : t.shape()) {
                shape.add(d);
            }
            long end = Math.addExact(offset, t.byteSize());
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", t.dtype().safetensorsName());
            info.put("shape", shape);
            info.put("data_offsets", List.of(offset, end));
            root.put(t.name(), info);
            offset = end;
        }
        byte[] json = Json.write(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & -8;
        if (padded > SafetensorsHeader.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("header of " + tensors.size() + " tensors is " + padded
                    + " bytes, over the " + SafetensorsHeader.MAX_HEADER_BYTES + "-byte limit readers enforce");
        }
        byte[] header = new byte[padded];
        System.arraycopy(json, 0, header, 0, json.length);
        java.util.Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
