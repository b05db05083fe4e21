package dev.sparkdit.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An open safetensors file: its validated header, and read-only memory maps of its tensors on demand.
 *
 * <p>{@link #open} reads and checks only the header (see {@link SafetensorsHeader} for the layout and
 * the rules); tensor bytes are never copied. Each {@link #data} call maps exactly one tensor's region,
 * because a FLUX shard is larger than the 2 GiB a single {@link java.nio.MappedByteBuffer} can span,
 * while any one tensor of it is far smaller.
 *
 * <p>Thread-safe. Buffers returned by {@link #data} stay valid after {@link #close} (the JVM unmaps
 * them when they are collected), but the file must not be truncated while they are in use: a read
 * past a shrunken file faults.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Largest tensor {@link #data} can map: {@link FileChannel#map} is limited to {@code Integer.MAX_VALUE} bytes. */
    public static final long MAX_MAPPED_TENSOR_BYTES = Integer.MAX_VALUE;

    private final Path path;
    private final FileChannel channel;
    private final long dataOffset;
    private final List<SafetensorsEntry> entries;
    private final Map<String, SafetensorsEntry> byName;
    private final Map<String, String> metadata;
    private volatile boolean closed;

    private SafetensorsFile(Path path, FileChannel channel, long dataOffset, SafetensorsHeader header) {
        this.path = path;
        this.channel = channel;
        this.dataOffset = dataOffset;
        this.entries = header.entries;
        Map<String, SafetensorsEntry> names = new LinkedHashMap<>();
        for (SafetensorsEntry e : entries) {
            names.put(e.name(), e);
        }
        this.byName = Collections.unmodifiableMap(names);
        this.metadata = header.metadata;
    }

    /**
     * Opens and validates {@code path}. Throws {@link SafetensorsFormatException} for any malformed
     * content and the usual {@link IOException}s ({@code NoSuchFileException}, ...) for access problems.
     */
    public static SafetensorsFile open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long fileSize = channel.size();
            if (fileSize < SafetensorsHeader.PREFIX_BYTES) {
                throw new SafetensorsFormatException(path, "file is " + fileSize + " bytes, shorter than the "
                        + SafetensorsHeader.PREFIX_BYTES + "-byte header length prefix (truncated, or not a safetensors file)");
            }
            ByteBuffer prefix = ByteBuffer.allocate(SafetensorsHeader.PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(path, channel, prefix, 0);
            long headerBytes = prefix.getLong(0); // unsigned u64: a "negative" value is simply huge
            if (headerBytes == 0) {
                throw new SafetensorsFormatException(path, "header length is 0; even an empty file has the 2-byte header {}");
            }
            if (Long.compareUnsigned(headerBytes, SafetensorsHeader.MAX_HEADER_BYTES) > 0) {
                throw new SafetensorsFormatException(path, "header length " + Long.toUnsignedString(headerBytes)
                        + " exceeds the limit of " + SafetensorsHeader.MAX_HEADER_BYTES
                        + " bytes (corrupt length prefix, or not a safetensors file)");
            }
            if (headerBytes > fileSize - SafetensorsHeader.PREFIX_BYTES) {
                throw new SafetensorsFormatException(path, "header length " + headerBytes + " goes beyond the file: 8 + "
                        + headerBytes + " > file size " + fileSize + " (truncated?)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerBytes);
            readFully(path, channel, header, SafetensorsHeader.PREFIX_BYTES);
            long dataOffset = SafetensorsHeader.PREFIX_BYTES + headerBytes;
            SafetensorsHeader parsed = SafetensorsHeader.parse(path, header.array(), fileSize - dataOffset);
            return new SafetensorsFile(path, channel, dataOffset, parsed);
        } catch (IOException | RuntimeException | Error e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static void readFully(Path path, FileChannel channel, ByteBuffer into, long position) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = channel.read(into, at);
            if (n < 0) {
                // The size was checked first, so only a file shrinking under us gets here.
                throw new SafetensorsFormatException(path, "file ended at byte " + at + " while reading "
                        + into.limit() + " bytes from offset " + position + " (truncated while being read?)");
            }
            at += n;
        }
    }

    public Path path() {
        return path;
    }

    /** Absolute file offset of the data section: 8 + header length. */
    public long dataOffset() {
        return dataOffset;
    }

    /** All tensors in data-offset order. */
    public List<SafetensorsEntry> entries() {
        return entries;
    }

    /** Tensor names in data-offset order. */
    public Set<String> names() {
        return byName.keySet();
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** The entry named {@code name}, or a {@link NoSuchTensorException} naming the file and the name. */
    public SafetensorsEntry entry(String name) {
        SafetensorsEntry e = byName.get(name);
        if (e == null) {
            throw new NoSuchTensorException(path, name, byName.size());
        }
        return e;
    }

    /** The {@code __metadata__} map (empty when the header has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * A read-only little-endian buffer over exactly the bytes of tensor {@code name} (position 0, limit
     * = byte size), memory-mapped from the file. A tensor of {@link #MAX_MAPPED_TENSOR_BYTES} bytes or
     * more cannot be mapped and is refused with a {@link SafetensorsFormatException}.
     */
    public ByteBuffer data(String name) throws IOException {
        SafetensorsEntry e = entry(name);
        if (closed) {
            throw new IllegalStateException(path + ": closed; cannot map tensor '" + name + "'");
        }
        long size = e.byteSize();
        if (size > MAX_MAPPED_TENSOR_BYTES) {
            throw new SafetensorsFormatException(path, "tensor '" + name + "' is " + size + " bytes; a single"
                    + " mapping holds at most " + MAX_MAPPED_TENSOR_BYTES + " bytes (2^31 - 1), so this reader"
                    + " cannot map it");
        }
        if (size == 0) {
            return ByteBuffer.allocate(0).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        // Mapped READ_ONLY, so the buffer is read-only; order() is per buffer, so set it on the one we return.
        return channel.map(FileChannel.MapMode.READ_ONLY, dataOffset + e.begin(), size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Tensor {@code name} as a {@link HostTensor} over its mapped bytes (no copy). */
    public HostTensor tensor(String name) throws IOException {
        SafetensorsEntry e = entry(name);
        return new HostTensor(e.dtype(), e.shape(), data(name));
    }

    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + entries.size() + " tensors]";
    }
}
