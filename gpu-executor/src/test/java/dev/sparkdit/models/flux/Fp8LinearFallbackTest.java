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

    /** {@code ops}, except that linearFp8 counts its calls and, when {@code refuse}, throws as CUDA would. */
    private static Ops counting(Ops ops, AtomicInteger fp8Calls, boolean refuse) {
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

    /**
     * Runs a [5, 32] x [16, 32]^T linear in FP8 mode {@code calls} times through a counting backend; returns
     * the fp32 result of the plain linear and the FP8-mode results.
     */
    private static float[][] run(boolean refuse, Activation act, int calls, AtomicInteger fp8Calls) {
        try (CpuBackend backend = new CpuBackend(8L << 20)) {
            Ops cpu = backend.ops();
            Arena arena = backend.reserve("test", 4L << 20);
            Random rnd = new Random(11);
            Tensor x = CpuTensors.random(cpu, arena, rnd, 5, 32);
            FluxTransformer.Linear l = new FluxTransformer.Linear(CpuTensors.random(cpu, arena, rnd, 16, 32),
                    CpuTensors.random(cpu, arena, rnd, 16));
            float[][] r = new float[calls + 1][];
            Tensor exact = arena.allocate(DType.F32, 5, 16);
            cpu.linear(exact, x, l.weight, l.bias, act);
            r[0] = cpu.toFloatArray(exact);
            Ops ops = counting(cpu, fp8Calls, refuse);
            l.useFp8(ops, arena, true);
            for (int i = 1; i <= calls; i++) {
                Tensor out = arena.allocate(DType.F32, 5, 16);
                l.apply(ops, out, x, act);
                r[i] = cpu.toFloatArray(out);
            }
            return r;
        }
    }

    @Test
    void noFp8KernelFallsBackToTheBf16GemmForGood() {
        AtomicInteger calls = new AtomicInteger();
        float[][] r = run(true, Activation.GELU_TANH, 2, calls);
        assertArrayEquals(r[0], r[1], "first call");
        assertArrayEquals(r[0], r[2], "second call");
        assertEquals(1, calls.get(), "after the refusal the layer must stop asking for FP8");
    }

    @Test
    void withAnFp8KernelTheLayerRunsOnQuantizedOperands() {
        AtomicInteger calls = new AtomicInteger();
        float[][] r = run(false, Activation.NONE, 1, calls);
        assertEquals(1, calls.get());
        double num = 0, den = 0;
        for (int i = 0; i < r[0].length; i++) {
            num += (r[1][i] - r[0][i]) * (double) (r[1][i] - r[0][i]);
            den += r[0][i] * (double) r[0][i];
        }
        double rel = Math.sqrt(num / den);
        // e4m3 keeps 3 mantissa bits: a few percent, never fp32-exact.
        assertTrue(rel > 1e-3 && rel < 1e-1, "rel L2 against the fp32 product " + rel);
    }
}
