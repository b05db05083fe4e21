package dev.sparkdit.safetensors;

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

/**
 * Writes safetensors files in the reference layout: the header JSON padded with spaces to a multiple
 * of 8 bytes, then the tensors contiguous in the map's iteration order (pass a {@link LinkedHashMap}
 * to choose it).
 *
 * <p>The file is written to a temporary file in the target's folder, flushed to disk, and renamed
 * over the target atomically: a reader sees the old file or the complete new one, and a failure part
 * way leaves no half-written file behind.
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {
    }

    public static void write(Path target, Map<String, HostTensor> tensors) throws IOException {
        write(target, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} (name to tensor, in iteration order) and {@code metadata} (omitted from the
     * header when empty) to {@code target}, replacing any file there.
     */
    public static void write(Path target, Map<String, HostTensor> tensors, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(target, "target");
        byte[] header = header(tensors, metadata);
        Path absolute = target.toAbsolutePath();
        Path tmp = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(out, ByteBuffer.allocate(SafetensorsHeader.PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(0, header.length));
                writeFully(out, ByteBuffer.wrap(header));
                for (HostTensor t : tensors.values()) {
                    writeFully(out, t.data());
                }
                out.force(true);
            }
            Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** The header bytes (JSON, space-padded to a multiple of 8) for these tensors and metadata. */
    static byte[] header(Map<String, HostTensor> tensors, Map<String, String> metadata) {
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
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            String name = e.getKey();
            HostTensor t = e.getValue();
            if (name == null || t == null) {
                throw new IllegalArgumentException("tensor names and tensors must not be null, got " + name + " -> " + t);
            }
            if (name.equals(SafetensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("'" + SafetensorsHeader.METADATA_KEY
                        + "' is reserved for metadata and cannot name a tensor");
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
            root.put(name, info);
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
