package dev.sparkdit.cuda;

import dev.sparkdit.tensor.AddressPointer;
import org.bytedeco.javacpp.Pointer;

/** Raw device addresses (the {@code long}s in {@link dev.sparkdit.tensor.Tensor}) as JavaCPP pointers. */
public final class DevicePointers {
    private DevicePointers() {
    }

    /** A non-owning JavaCPP pointer at {@code address}; never deallocated by JavaCPP. */
    public static Pointer of(long address) {
        return new AddressPointer(address, 0);
    }
}
