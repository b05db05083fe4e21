package dev.sparkdit.usp.testing;

import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.Device;
import org.bytedeco.javacpp.Pointer;

/** A block of host memory with an {@link Arena} over it, for tests. */
public final class HostMemory implements AutoCloseable {
    private final Pointer block;
    private final Arena arena;

    public HostMemory(String name, long bytes) {
        block = Pointer.malloc(bytes + Arena.ALIGNMENT);
        if (block == null || block.isNull()) {
            throw new OutOfMemoryError("malloc of " + bytes + " bytes failed");
        }
        arena = new Arena(name, Device.CPU, Arena.alignUp(block.address()), bytes);
    }

    public Arena arena() {
        return arena;
    }

    @Override
    public void close() {
        Pointer.free(block);
    }
}
