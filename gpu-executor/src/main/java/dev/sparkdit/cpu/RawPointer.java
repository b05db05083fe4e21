package dev.sparkdit.cpu;

import org.bytedeco.javacpp.Pointer;

/** A JavaCPP pointer at a raw address; owns nothing (JavaCPP keeps the address field protected). */
final class RawPointer extends Pointer {
    RawPointer(long address, long bytes) {
        this.address = address;
        this.limit = bytes;
        this.capacity = bytes;
    }
}
