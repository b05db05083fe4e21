package dev.sparkdit.usp.comm;

import org.bytedeco.javacpp.Pointer;

/** A JavaCPP pointer at a raw host or device address; it owns nothing. */
final class NativeAddress extends Pointer {
    NativeAddress(long address, long bytes) {
        this.address = address;
        this.limit = bytes;
        this.capacity = bytes;
    }
}
