package dev.sparkdit.safetensors;

import java.nio.ByteBuffer;

/**
 * Where a streaming write ({@link SafetensorsWriter#write(java.nio.file.Path, java.util.List, java.util.Map,
 * TensorBytes, int, java.util.function.LongConsumer)}) gets a tensor's bytes, one chunk at a time, so that no
 * tensor (and no model) is ever whole in memory.
 *
 * <p>{@link #fill} puts elements {@code [firstElement, firstElement + out.remaining() / dtype size)} of
 * {@code tensor}, row-major and little-endian, into {@code out} with relative puts, from its position (0) to its
 * limit. It is called from several threads at once for different chunks, in no particular order, and must not
 * keep {@code out}.
 */
@FunctionalInterface
public interface TensorBytes {
    void fill(TensorSpec tensor, long firstElement, ByteBuffer out);
}
