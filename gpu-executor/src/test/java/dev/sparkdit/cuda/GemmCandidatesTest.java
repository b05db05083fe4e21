package dev.sparkdit.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code -Dsparkdit.gemm.candidates}: how many of cuBLASLt's heuristic results the tuner times, and
 * {@code -Dsparkdit.gemm.tune-reps}: how many launches it times each over.
 */
class GemmCandidatesTest {
    @Test
    void unsetMeansTheDefaultAndValuesInRangeAreTaken() {
        assertEquals(CublasLtLinear.DEFAULT_CANDIDATES, CublasLtLinear.candidates(null));
        assertEquals(1, CublasLtLinear.candidates("1"));
        assertEquals(32, CublasLtLinear.candidates(" 32 "));
        assertEquals(64, CublasLtLinear.candidates("64"));
    }

    @Test
    void outOfRangeOrNonNumbersAreRejectedNamingPropertyAndValue() {
        for (String bad : new String[] {"0", "65", "-3", "many", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CublasLtLinear.candidates(bad));
            assertTrue(e.getMessage().contains(CublasLtLinear.CANDIDATES_PROPERTY)
                    && e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void tuneRepsTakeOneToAThousandAndRejectTheRestNamingPropertyAndValue() {
        assertEquals(CublasLtLinear.DEFAULT_TUNE_REPS, CublasLtLinear.tuneReps(null));
        assertEquals(1, CublasLtLinear.tuneReps("1"));
        assertEquals(1000, CublasLtLinear.tuneReps("1000"));
        for (String bad : new String[] {"0", "1001", "x"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CublasLtLinear.tuneReps(bad));
            assertTrue(e.getMessage().contains(CublasLtLinear.TUNE_REPS_PROPERTY)
                    && e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }
}
