package dev.sparkdit.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DevicePointersTest {
    @Test
    void pointerCarriesTheAddress() {
        assertEquals(0x7f61d4000000L, DevicePointers.of(0x7f61d4000000L).address());
        assertEquals(0L, DevicePointers.of(0L).address());
    }
}
