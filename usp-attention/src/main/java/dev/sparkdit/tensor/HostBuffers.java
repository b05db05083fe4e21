package dev.sparkdit.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Host values as the little-endian direct buffers {@code Ops.copyFromHost} reads. */
public final class HostBuffers {
    private HostBuffers() {
    }

    public static ByteBuffer floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocateDirect(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b;
    }

    public static ByteBuffer ints(int[] v) {
        ByteBuffer b = ByteBuffer.allocateDirect(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(v);
        return b;
    }
}
