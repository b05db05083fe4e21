package dev.sparkdit.cpu;

import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.Device;
import org.bytedeco.javacpp.Pointer;

/** A block of native host memory reserved up front, aligned for the arena, freed on close. */
public final class HostMemory implements AutoCloseable {
    private final String name;
    private Pointer block;
    private final long aligned;
    private final long size;

    public HostMemory(String name, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("host memory '" + name + "' size must be >= 0, got " + size);
        }
        this.name = name;
        this.size = size;
        this.block = Pointer.malloc(size + Arena.ALIGNMENT);
        if (block == null || block.isNull()) {
            throw new OutOfMemoryError("malloc of " + (size + Arena.ALIGNMENT) + " bytes for host memory '"
                    + name + "' failed");
        }
        this.aligned = Arena.alignUp(block.address());
    }

    public Arena arena() {
        return new Arena(name, Device.CPU, aligned, size);
    }

    public long address() {
        return aligned;
    }

    public long size() {
        return size;
    }

    @Override
    public void close() {
        if (block != null) {
            Pointer.free(block);
            block = null;
        }
    }
}
