package dev.sparkdit.cuda;

import dev.sparkdit.tensor.Tensor;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code void** kernelParams} array of a {@code cuLaunchKernel}: slot i points at host memory that
 * holds argument i by value (a device pointer is 8 bytes holding the address). Built in the order of
 * the kernel's parameter list; {@code cuLaunchKernel} copies the values, so the array is freed right
 * after the launch (also under stream capture).
 *
 * <pre>
 *   params ──► [ slot0 ][ slot1 ] ...      one host pointer per argument (PointerPointer)
 *                 │        │
 *                 ▼        ▼
 *              u64 addr  i32 n  ...        8-byte device addresses / long long, 4-byte int / float
 * </pre>
 */
final class KernelArgs implements AutoCloseable {
    private final List<Pointer> slots = new ArrayList<>();
    private PointerPointer<Pointer> array;

    /** A device pointer ({@code T*}); 0 passes a null pointer. */
    KernelArgs ptr(long address) {
        return i64(address);
    }

    KernelArgs ptr(Tensor t) {
        return ptr(t == null ? 0L : t.address());
    }

    /** A {@code long long}. */
    KernelArgs i64(long v) {
        LongPointer p = new LongPointer(1);
        p.put(0, v);
        slots.add(p);
        return this;
    }

    /** An {@code int}. */
    KernelArgs i32(long v) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("kernel argument " + slots.size() + " = " + v + " does not fit an int");
        }
        IntPointer p = new IntPointer(1);
        p.put(0, (int) v);
        slots.add(p);
        return this;
    }

    /** A {@code float}. */
    KernelArgs f32(float v) {
        FloatPointer p = new FloatPointer(1);
        p.put(0, v);
        slots.add(p);
        return this;
    }

    PointerPointer<Pointer> array() {
        if (array == null) {
            array = new PointerPointer<>(slots.size());
            for (int i = 0; i < slots.size(); i++) {
                array.put(i, slots.get(i));
            }
        }
        return array;
    }

    int size() {
        return slots.size();
    }

    @Override
    public void close() {
        if (array != null) {
            array.close();
        }
        for (Pointer p : slots) {
            p.close();
        }
        slots.clear();
    }
}
