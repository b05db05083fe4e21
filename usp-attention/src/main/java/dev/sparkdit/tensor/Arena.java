package dev.sparkdit.tensor;

/**
 * A bump allocator over one region of memory reserved up front. Allocation is a pointer increment, and
 * {@link #reset(long)} returns to an earlier {@link #mark()}: a block takes its temporaries after a mark
 * and gives them back at the end, so a denoising step reuses the same addresses every time, which is
 * what lets a CUDA graph captured once be replayed.
 *
 * <p>The arena does not own the region; whoever reserved it (a backend) frees it. Not thread-safe:
 * each rank owns its arenas.
 */
public final class Arena {
    /** Every allocation starts on this boundary (enough for vectorised loads and cuBLASLt). */
    public static final long ALIGNMENT = 256;

    private final String name;
    private final Device device;
    private final long base;
    private final long capacity;
    private long used;
    private long highWater;

    public Arena(String name, Device device, long base, long capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("arena '" + name + "' capacity must be >= 0, got " + capacity);
        }
        if (base % ALIGNMENT != 0 && capacity > 0) {
            throw new IllegalArgumentException("arena '" + name + "' base 0x" + Long.toHexString(base)
                    + " is not " + ALIGNMENT + "-byte aligned");
        }
        this.name = name;
        this.device = device;
        this.base = base;
        this.capacity = capacity;
    }

    public Tensor allocate(DType dtype, long... shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("arena '" + name + "': negative dimension in shape "
                        + java.util.Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        long bytes = Math.multiplyExact(n, (long) dtype.bytes());
        long start = alignUp(used);
        long end = start + bytes;
        if (end > capacity) {
            throw new ArenaExhaustedException(name, bytes, used, capacity);
        }
        used = end;
        highWater = Math.max(highWater, used);
        return new Tensor(base + start, device, dtype, shape);
    }

    /** Same shape and dtype as {@code like}, fresh memory. */
    public Tensor allocateLike(Tensor like) {
        return allocate(like.dtype(), like.shape());
    }

    public long mark() {
        return used;
    }

    public void reset(long mark) {
        if (mark < 0 || mark > used) {
            throw new IllegalArgumentException("arena '" + name + "': reset to " + mark
                    + " outside [0, " + used + "]");
        }
        used = mark;
    }

    public void resetAll() {
        used = 0;
    }

    public static long alignUp(long v) {
        return (v + ALIGNMENT - 1) & -ALIGNMENT;
    }

    public String name() {
        return name;
    }

    public Device device() {
        return device;
    }

    public long capacity() {
        return capacity;
    }

    public long used() {
        return used;
    }

    /** The most bytes ever in use at once: what a right-sized arena needs. */
    public long highWater() {
        return highWater;
    }

    public long base() {
        return base;
    }
}
