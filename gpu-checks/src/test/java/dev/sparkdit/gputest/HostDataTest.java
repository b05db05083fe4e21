package dev.sparkdit.gputest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HostDataTest {
    @Test
    void bf16RoundsToNearestEven() {
        assertEquals(1.0f, HostData.bf16(1.0f + 0x1p-8f));               // tie, down to even
        assertEquals(1.0f + 0x1p-6f, HostData.bf16(1.0f + 0x1p-7f + 0x1p-8f));  // tie, up to even
        assertEquals(1.0f + 0x1p-7f, HostData.bf16(1.0f + 0x1p-7f + 0x1p-10f)); // below half: down
        assertEquals(-2.5f, HostData.bf16(-2.5f));
    }

    @Test
    void relativeL2() {
        assertEquals(0.5, HostData.relL2(new float[] {1, 0}, new double[] {2, 0}), 1e-12);
    }
}
