package dev.sparkdit.cuda;

import dev.sparkdit.tensor.Tensor;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

import java.util.ArrayDeque;

/**
 * The {@code void** kernelParams} array of a {@code cuLaunchKernel}: slot i points at host memory that
 * holds argument i by value (a device pointer is 8 bytes holding the address). Built in the order of
 * the kernel's parameter list; {@code cuLaunchKernel} copies the values (also under stream capture), so
 * the memory is reused as soon as the launch returns.
 *
 * <pre>
 *   array  ──► [ &v0 ][ &v1 ] ...          MAX_ARGS host addresses (a LongPointer seen as void**)
 *                 │      │
 *                 ▼      ▼
 *   values     [ u64 addr ][ i32 n ]...    VALUE_BYTES, each value 8-byte aligned
 * </pre>
 * The native memory is a per-thread slab taken on construction and returned on {@link #close()}: a
 * launch allocates nothing native. (One JavaCPP allocation per argument, as before, registered a
 * deallocator under a JVM-wide lock for every value; ranks launching from threads of one JVM contended
 * on it.) A thread that holds several KernelArgs at once gets a slab each.
 */
final class KernelArgs implements AutoCloseable {
    static final int MAX_ARGS = 32;
    static final int VALUE_BYTES = 1024;
    private static final ThreadLocal<ArrayDeque<Slab>> FREE = ThreadLocal.withInitial(ArrayDeque::new);

    private Slab slab;
    private int count;
    private long used;

    KernelArgs() {
        Slab s = FREE.get().poll();
        this.slab = s != null ? s : new Slab();
    }

    /** A device pointer ({@code T*}); 0 passes a null pointer. */
    KernelArgs ptr(long address) {
        return i64(address);
    }

    KernelArgs ptr(Tensor t) {
        return ptr(t == null ? 0L : t.address());
    }

    /** A {@code long long}. */
    KernelArgs i64(long v) {
        slab().values.putLong(next(8), v);
        return this;
    }

    /** A struct of {@code long long} fields passed by value (e.g. strided_copy's {@code CopyDims}). */
    KernelArgs i64s(long... values) {
        long at = next(8L * values.length);
        for (int i = 0; i < values.length; i++) {
            slab.values.putLong(at + 8L * i, values[i]);
        }
        return this;
    }

    /** An {@code int}. */
    KernelArgs i32(long v) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("kernel argument " + count + " = " + v + " does not fit an int");
        }
        slab().values.putInt(next(4), (int) v);
        return this;
    }

    /** A {@code float}. */
    KernelArgs f32(float v) {
        slab().values.putFloat(next(4), v);
        return this;
    }

    /** Reserves the next slot of {@code bytes} (8-byte aligned) and points the array at it. */
    private long next(long bytes) {
        Slab s = slab();
        if (count == MAX_ARGS || used + bytes > VALUE_BYTES) {
            throw new IllegalStateException("kernel arguments exceed " + MAX_ARGS + " slots / " + VALUE_BYTES
                    + " bytes (slot " + count + ", " + bytes + " more bytes after " + used + ")");
        }
        long at = used;
        s.addresses.put(count, s.values.address() + at);
        count++;
        used += (bytes + 7) & ~7L;
        return at;
    }

    private Slab slab() {
        if (slab == null) {
            throw new IllegalStateException("kernel arguments used after close");
        }
        return slab;
    }

    PointerPointer<Pointer> array() {
        return slab().array;
    }

    int size() {
        return count;
    }

    @Override
    public void close() {
        if (slab != null) {
            FREE.get().push(slab);
            slab = null;
        }
    }

    /** Native memory reused across launches of one thread; freed by JavaCPP when the thread's pool goes. */
    private static final class Slab {
        final BytePointer values = new BytePointer(VALUE_BYTES);
        final LongPointer addresses = new LongPointer(MAX_ARGS);
        // The one-argument constructor is a cast: the void** array IS the addresses' memory.
        final PointerPointer<Pointer> array = new PointerPointer<>(addresses);
    }
}
