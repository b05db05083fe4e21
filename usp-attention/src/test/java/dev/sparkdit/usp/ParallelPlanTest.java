package dev.sparkdit.usp;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ParallelPlanTest {

    @Test
    void eightGpusOneHostUlysses4Ring2() {
        ParallelPlan p = ParallelPlan.of(8, 4, 2, 8);
        assertEquals(1, p.dp());
        assertEquals(1, p.hosts());
        RankPlacement r5 = p.placement(5);
        assertEquals(1, r5.ringIndex());
        assertEquals(1, r5.ulyssesIndex());
        assertEquals(List.of(4, 5, 6, 7), r5.ulyssesGroup());
        assertEquals(List.of(1, 5), r5.ringGroup());
        assertEquals(5, r5.sequenceIndex(p.ulysses()));
    }

    @Test
    void hostsOfTwoUlysses2Ring2Dp2() {
        ParallelPlan p = ParallelPlan.of(8, 2, 2, 2);
        assertEquals(2, p.dp());
        assertEquals(4, p.hosts());
        RankPlacement r6 = p.placement(6);
        assertEquals(3, r6.host());
        assertEquals(0, r6.localGpu());
        assertEquals(1, r6.dpIndex());
        assertEquals(1, r6.ringIndex());
        assertEquals(0, r6.ulyssesIndex());
        assertEquals(List.of(6, 7), r6.ulyssesGroup());
        assertEquals(List.of(4, 6), r6.ringGroup());
        assertEquals(List.of(4, 5, 6, 7), p.replica(1));
        // every Ulysses group stays on one host
        for (RankPlacement r : p.ranks()) {
            for (int m : r.ulyssesGroup()) {
                assertEquals(r.host(), p.placement(m).host());
            }
        }
    }

    @Test
    void hostsOfFourRingAcrossHosts() {
        ParallelPlan p = ParallelPlan.of(16, 4, 4, 4);
        RankPlacement r9 = p.placement(9);
        assertEquals(2, r9.host());
        assertEquals(1, r9.localGpu());
        assertEquals(List.of(8, 9, 10, 11), r9.ulyssesGroup());
        assertEquals(List.of(1, 5, 9, 13), r9.ringGroup());
    }

    @Test
    void pureRingAndPureDp() {
        ParallelPlan ring = ParallelPlan.of(4, 1, 4, 8);
        assertEquals(List.of(0, 1, 2, 3), ring.placement(2).ringGroup());
        assertEquals(List.of(2), ring.placement(2).ulyssesGroup());
        ParallelPlan dp = ParallelPlan.of(8, 1, 1, 8);
        assertEquals(8, dp.dp());
        assertEquals(7, dp.placement(7).dpIndex());
    }

    @Test
    void errorsNameTheNumbers() {
        assertMessage("ulysses 3 x ring 2 = 6 does not divide world size 8", () -> ParallelPlan.of(8, 3, 2, 8));
        assertMessage("ulysses degree 4 spans hosts of 2 GPUs: Ulysses groups must stay inside a host's NVLink island",
                () -> ParallelPlan.of(8, 4, 2, 2));
        assertMessage("ulysses degree 3 does not divide hosts of 4 GPUs", () -> ParallelPlan.of(12, 3, 1, 4));
        assertMessage("world size 6 is not a whole number of hosts of 4 GPUs", () -> ParallelPlan.of(6, 2, 1, 4));
        assertMessage("ring degree must be >= 1, got 0", () -> ParallelPlan.of(8, 2, 0, 8));
        assertMessage("ulysses 4 x ring 4 = 16 does not divide world size 8", () -> ParallelPlan.of(8, 4, 4, 8));
    }

    private static void assertMessage(String expectedStart, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        if (!ex.getMessage().startsWith(expectedStart)) {
            throw new AssertionError("expected message starting with '" + expectedStart + "', got '"
                    + ex.getMessage() + "'");
        }
    }
}
