package dev.sparkdit.models;

import dev.sparkdit.tensor.DType;

import java.nio.ByteBuffer;
import java.util.Set;

/** Named tensors in host memory as a checkpoint stores them (one file, or the shards of one model). */
public interface TensorSource extends AutoCloseable {
    /** Where the tensors come from, for messages. */
    String description();

    Set<String> names();

    DType dtype(String name);

    long[] shape(String name);

    /** The tensor's bytes, little-endian, contiguous, exactly numel x dtype size long. */
    ByteBuffer data(String name);

    @Override
    void close();
}
