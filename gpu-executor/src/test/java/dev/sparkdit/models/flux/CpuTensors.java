package dev.sparkdit.models.flux;

import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/** Test tensors on the CPU backend. */
final class CpuTensors {
    private CpuTensors() {
    }

    /** An fp32 tensor in {@code arena}, uniform in [-1, 1). */
    static Tensor random(Ops ops, Arena arena, Random rnd, long... shape) {
        Tensor t = arena.allocate(DType.F32, shape);
        ByteBuffer b = ByteBuffer.allocate((int) t.numel() * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < t.numel(); i++) {
            b.putFloat(rnd.nextFloat() * 2 - 1);
        }
        b.flip();
        ops.copyFromHost(t, b, DType.F32);
        return t;
    }
}
