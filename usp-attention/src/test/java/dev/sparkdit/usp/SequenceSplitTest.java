package dev.sparkdit.usp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SequenceSplitTest {
    @Test
    void sizesDifferByAtMostOneAndCoverTheSequence() {
        for (int length = 0; length <= 40; length++) {
            for (int parts = 1; parts <= 9; parts++) {
                SequenceSplit s = SequenceSplit.of(length, parts);
                int at = 0;
                int min = Integer.MAX_VALUE;
                int max = 0;
                for (int i = 0; i < parts; i++) {
                    assertEquals(at, s.start(i));
                    at += s.length(i);
                    min = Math.min(min, s.length(i));
                    max = Math.max(max, s.length(i));
                }
                assertEquals(length, at);
                assertEquals(true, max - min <= 1);
                assertEquals(max, s.paddedLength());
            }
        }
    }

    @Test
    void oddLengthOverThree() {
        SequenceSplit s = SequenceSplit.of(37, 3);
        assertArrayEquals(new int[] {13, 12, 12}, s.lengths());
        assertArrayEquals(new int[] {0, 13, 25}, s.starts());
        assertEquals(13, s.paddedLength());
    }

    @Test
    void localLengthsAddTextAndImageSlices() {
        int[] l = SequenceSplit.localLengths(SequenceSplit.of(13, 3), SequenceSplit.of(24, 3));
        assertArrayEquals(new int[] {5 + 8, 4 + 8, 4 + 8}, l);
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> SequenceSplit.of(-1, 2));
        assertThrows(IllegalArgumentException.class, () -> SequenceSplit.of(4, 0));
    }
}
