package dev.sparkdit.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The {@code void**} array as cuLaunchKernel reads it: slot i holds the address of argument i's value. */
class KernelArgsTest {

    /** What cuLaunchKernel would see at {@code kernelParams[i]}: the host address of argument i. */
    private static long slot(KernelArgs a, int i) {
        return a.array().get(i).address();
    }

    @Test
    void slotsPointAtTheValuesInParameterOrder() {
        try (KernelArgs a = new KernelArgs().ptr(0xDEADBEEF000L).i32(-7).f32(1.5f).i64s(1, 2, 3).i64(42)) {
            assertEquals(5, a.size());
            BytePointer values = valuesOf(a);
            long base = slot(a, 0);
            assertEquals(0xDEADBEEF000L, values.getLong(slot(a, 0) - base));
            assertEquals(-7, values.getInt(slot(a, 1) - base));
            assertEquals(1.5f, values.getFloat(slot(a, 2) - base));
            long struct = slot(a, 3) - base;
            assertEquals(0, struct % 8, "a struct of long longs is 8-byte aligned");
            for (int i = 0; i < 3; i++) {
                assertEquals(i + 1, values.getLong(struct + 8L * i), "field " + i + " of the struct");
            }
            assertEquals(42, values.getLong(slot(a, 4) - base));
            assertEquals(struct + 24, slot(a, 4) - base, "the next value follows the struct");
        }
    }

    @Test
    void aClosedSlabIsReusedAndNestedArgsGetTheirOwn() {
        long first;
        try (KernelArgs a = new KernelArgs().i64(1)) {
            first = slot(a, 0);
            try (KernelArgs nested = new KernelArgs().i64(2)) {
                assertNotEquals(first, slot(nested, 0));
                assertEquals(1, valuesOf(a).getLong(0), "the outer value survives the nested one");
            }
        }
        try (KernelArgs again = new KernelArgs().i64(3)) {
            assertEquals(first, slot(again, 0), "the slab closed last is handed out next");
            assertEquals(3, valuesOf(again).getLong(0));
        }
    }

    @Test
    void tooManyArgumentsOrAnIntOverflowAreNamed() {
        try (KernelArgs a = new KernelArgs()) {
            IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> a.i32(1L << 40));
            assertEquals(true, big.getMessage().contains("1099511627776"), big.getMessage());
            for (int i = 0; i < KernelArgs.MAX_ARGS; i++) {
                a.i32(i);
            }
            IllegalStateException full = assertThrows(IllegalStateException.class, () -> a.i32(0));
            assertEquals(true, full.getMessage().contains("32 slots"), full.getMessage());
        }
        KernelArgs closed = new KernelArgs();
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.i64(1));
    }

    /** The values block of {@code a}, read through a non-owning byte view at slot 0's address. */
    private static BytePointer valuesOf(KernelArgs a) {
        long base = slot(a, 0);
        return new BytePointer(new dev.sparkdit.tensor.AddressPointer(base, KernelArgs.VALUE_BYTES));
    }
}
