package dev.sparkdit.cuda;

import org.bytedeco.javacpp.Pointer;

/** Raw device addresses (the {@code long}s in {@link dev.sparkdit.tensor.Tensor}) as JavaCPP pointers. */
public final class DevicePointers {
    private DevicePointers() {
    }

    /** A non-owning JavaCPP pointer at {@code address}; never deallocated by JavaCPP. */
    public static Pointer of(long address) {
        return new Pointer() {
            {
                this.address = address;
            }
        };
    }
}
