package dev.sparkdit.models.flux;

import dev.sparkdit.backend.CpuBackend;
import dev.sparkdit.ops.Activation;
import dev.sparkdit.ops.Fp8GemmUnavailableException;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A linear in FP8 mode whose backend has no FP8 kernel for its shape runs in bf16 instead (the exact
 * bf16 result, not a partial write) and stops asking for FP8; with a backend that has one, it runs FP8.
 */
class Fp8LinearFallbackTest {

    private static Tensor random(Ops ops, Arena arena, Random rnd, long... shape) {
        Tensor t = arena.allocate(DType.F32, shape);
        ByteBuffer b = ByteBuffer.allocate((int) t.numel() * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < t.numel(); i++) {
            b.putFloat(rnd.nextFloat() * 2 - 1);
        }
        b.flip();
        ops.copyFromHost(t, b, DType.F32);
        return t;
    }

    /** {@code ops}, except that linearFp8 counts its calls and, when {@code refuse}, throws as CUDA would. */
    private static Ops refusing(Ops ops, AtomicInteger fp8Calls, boolean refuse) {
        return (Ops) Proxy.newProxyInstance(Ops.class.getClassLoader(), new Class<?>[] {Ops.class}, (p, m, args) -> {
            if (m.getName().equals("linearFp8")) {
                fp8Calls.incrementAndGet();
                if (refuse) {
                    throw new Fp8GemmUnavailableException("no FP8 kernel for this shape (test)");
                }
            }
            try {
                return m.invoke(ops, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Test
    void noFp8KernelFallsBackToTheBf16GemmForGood() {
        try (CpuBackend backend = new CpuBackend(8L << 20)) {
            Ops cpu = backend.ops();
            Arena arena = backend.reserve("test", 4L << 20);
            Random rnd = new Random(11);
            Tensor x = random(cpu, arena, rnd, 5, 32);
            FluxTransformer.Linear l = new FluxTransformer.Linear(random(cpu, arena, rnd, 16, 32),
                    random(cpu, arena, rnd, 16));
            Tensor want = arena.allocate(DType.F32, 5, 16);
            cpu.linear(want, x, l.weight, l.bias, Activation.GELU_TANH);

            AtomicInteger calls = new AtomicInteger();
            Ops ops = refusing(cpu, calls, true);
            l.useFp8(ops, arena, true);
            for (int i = 0; i < 2; i++) {
                Tensor out = arena.allocate(DType.F32, 5, 16);
                l.apply(ops, out, x, Activation.GELU_TANH);
                assertArrayEquals(cpu.toFloatArray(want), cpu.toFloatArray(out), "call " + i);
            }
            assertEquals(1, calls.get(), "after the refusal the layer must stop asking for FP8");
        }
    }

    @Test
    void withAnFp8KernelTheLayerRunsOnQuantizedOperands() {
        try (CpuBackend backend = new CpuBackend(8L << 20)) {
            Ops cpu = backend.ops();
            Arena arena = backend.reserve("test", 4L << 20);
            Random rnd = new Random(12);
            Tensor x = random(cpu, arena, rnd, 5, 32);
            FluxTransformer.Linear l = new FluxTransformer.Linear(random(cpu, arena, rnd, 16, 32),
                    random(cpu, arena, rnd, 16));
            Tensor exact = arena.allocate(DType.F32, 5, 16);
            cpu.linear(exact, x, l.weight, l.bias, Activation.NONE);

            AtomicInteger calls = new AtomicInteger();
            Ops ops = refusing(cpu, calls, false);
            l.useFp8(ops, arena, true);
            Tensor out = arena.allocate(DType.F32, 5, 16);
            l.apply(ops, out, x, Activation.NONE);
            assertEquals(1, calls.get());
            float[] a = cpu.toFloatArray(out), b = cpu.toFloatArray(exact);
            double num = 0, den = 0;
            for (int i = 0; i < a.length; i++) {
                num += (a[i] - b[i]) * (double) (a[i] - b[i]);
                den += b[i] * (double) b[i];
            }
            double rel = Math.sqrt(num / den);
            // e4m3 keeps 3 mantissa bits: a few percent, never fp32-exact.
            assertTrue(rel > 1e-3 && rel < 1e-1, "rel L2 against the fp32 product " + rel);
        }
    }
}
