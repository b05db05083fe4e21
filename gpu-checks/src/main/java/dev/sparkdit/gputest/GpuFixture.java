package dev.sparkdit.gputest;

import dev.sparkdit.cuda.CudaOps;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

/**
 * The device side of the checks: one {@link CudaOps} on the device and with the scratch {@code gpu-tests} was
 * given ({@link #configure}; device 0 and 2 GiB by default), created on first use; tensors are taken from its
 * scratch arena (each check marks and resets it).
 */
final class GpuFixture {
    private static CudaOps ops;
    private static int device;
    private static long scratchBytes = 2048L << 20;

    private GpuFixture() {
    }

    /** What a check does; may throw anything (an {@link AssertionError} when a result is wrong). */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    /** A check that gives its scratch memory back afterwards. */
    static GpuCheck check(String name, Body body) {
        return new GpuCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void run() throws Exception {
                CudaOps o = ops();
                long mark = o.scratch().mark();
                try {
                    body.run();
                } finally {
                    o.synchronize();
                    o.scratch().reset(mark);
                }
            }
        };
    }

    /** Where the next {@link #ops()} is made. */
    static synchronized void configure(int deviceIndex, long scratch) {
        close();
        device = deviceIndex;
        scratchBytes = scratch;
    }

    static synchronized CudaOps ops() {
        if (ops == null) {
            ops = new CudaOps(device, scratchBytes);
        }
        return ops;
    }

    static synchronized void close() {
        if (ops != null) {
            ops.close();
            ops = null;
        }
    }

    /** A fresh tensor holding {@code values} (which should already be representable in {@code dt}). */
    static Tensor upload(float[] values, DType dt, long... shape) {
        Tensor t = ops().scratch().allocate(dt, shape);
        if (t.numel() != values.length) {
            throw new IllegalArgumentException(values.length + " values for shape " + java.util.Arrays.toString(shape));
        }
        ops().copyFromHost(t, HostData.f32Bytes(values), DType.F32);
        return t;
    }

    /** A fresh tensor filled with NaN (all bytes 0xFF: NaN in f32, bf16 and f16). */
    static Tensor poisoned(DType dt, long... shape) {
        Tensor t = ops().scratch().allocate(dt, shape);
        poison(t);
        return t;
    }

    static void poison(Tensor contiguous) {
        ops().fillBytes(contiguous, 0xFF);
    }

    static float[] download(Tensor t) {
        return ops().toFloatArray(t);
    }

    static Tensor view(Tensor t, long... shape) {
        return new Tensor(t.address(), t.device(), t.dtype(), shape);
    }
}
