package dev.sparkdit.cuda;

import org.bytedeco.javacpp.Pointer;

/** Raw device addresses (the {@code long}s in {@link dev.sparkdit.tensor.Tensor}) as JavaCPP pointers. */
public final class DevicePointers {
    private DevicePointers() {
    }

    /** A non-owning JavaCPP pointer at {@code address}; never deallocated by JavaCPP. */
    public static Pointer of(long address) {
        return new At(address);
    }

    /**
     * A named subclass, because JavaCPP keeps {@code address} protected. (An anonymous subclass that
     * writes {@code address = address} assigns the inherited field to itself: the field shadows the
     * captured parameter, and every pointer came out null.)
     */
    private static final class At extends Pointer {
        At(long target) {
            this.address = target;
        }
    }
}
