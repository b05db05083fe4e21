package dev.sparkdit.tensor;

import org.bytedeco.javacpp.Pointer;

/**
 * A JavaCPP pointer at a raw host or device address (a {@link Tensor}'s memory), owning nothing: JavaCPP
 * never frees it. The one place raw addresses become pointers for native calls (cudart, NCCL, libtorch).
 *
 * <p>A named subclass, because JavaCPP keeps {@code address} protected; an anonymous subclass that
 * writes {@code address = address} assigns the inherited field to itself (the field shadows a captured
 * parameter of the same name), which once made every device pointer null.
 */
public final class AddressPointer extends Pointer {
    /** @param bytes how many bytes the pointer may be used for (0 when unknown) */
    public AddressPointer(long target, long bytes) {
        this.address = target;
        this.limit = bytes;
        this.capacity = bytes;
    }
}
