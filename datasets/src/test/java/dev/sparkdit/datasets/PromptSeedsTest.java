package dev.sparkdit.datasets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptSeedsTest {

    /** Values from the documented formula, computed independently with Python's hashlib (docs/datasets.md). */
    @Test
    void matchesTheDocumentedDerivation() {
        assertEquals(8754116879127236929L, PromptSeeds.derive(42L, "sample-0001"));
        assertEquals(1440506675120690630L, PromptSeeds.derive(0L, "p0000001"));
        assertEquals(7295859095647619976L, PromptSeeds.derive(-1L, "日本"));
    }

    @Test
    void isStableNonNegativeAndDependsOnBothInputs() {
        long a = PromptSeeds.derive(7L, "cat");
        assertEquals(a, PromptSeeds.derive(7L, "cat"));
        assertNotEquals(a, PromptSeeds.derive(8L, "cat"));
        assertNotEquals(a, PromptSeeds.derive(7L, "Cat"));
        for (int i = 0; i < 1000; i++) {
            assertTrue(PromptSeeds.derive(i, "id-" + i) >= 0);
        }
    }
}
