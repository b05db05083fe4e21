package dev.sparkdit.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TailSplitTest {
    @Test
    void fluxShapesOn132SmsSplitTheirPartialWaveInThree() {
        // 1 GPU: 24 heads x 36 row tiles; Ulysses 2: 12 heads; Ulysses 4: 6 heads. 36 key tiles each.
        assertEquals(new TailSplit(792, 3, 72), TailSplit.plan(864, 132, 36));
        assertEquals(new TailSplit(396, 3, 36), TailSplit.plan(432, 132, 36));
        assertEquals(new TailSplit(132, 3, 84), TailSplit.plan(216, 132, 36));
        assertEquals(792 + 72 * 3, TailSplit.plan(864, 132, 36).blocks());
        assertEquals(36L * 3 * (128 * 128 + 128), TailSplit.plan(432, 132, 36).partFloats());
    }

    @Test
    void fullWavesAndSmallGainsStayWhole() {
        assertEquals(new TailSplit(264, 1, 0), TailSplit.plan(264, 132, 36));   // no tail
        assertEquals(new TailSplit(250, 1, 0), TailSplit.plan(250, 132, 36));   // tail 118: splits gain < 0.2
        assertEquals(264, TailSplit.plan(264, 132, 36).blocks());
        assertEquals(0, TailSplit.plan(250, 132, 36).partFloats());
    }

    @Test
    void smallCallsSplitUpToTheirKeyTiles() {
        assertEquals(new TailSplit(0, 4, 6), TailSplit.plan(6, 132, 36));
        assertEquals(new TailSplit(0, 3, 6), TailSplit.plan(6, 132, 3));    // one split per key tile at most
        assertEquals(new TailSplit(6, 1, 0), TailSplit.plan(6, 132, 1));    // one key tile: nothing to cut
        assertEquals(new TailSplit(0, 1, 0), TailSplit.plan(0, 132, 36));
    }

    @Test
    void rejectsNonsense() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TailSplit.plan(10, 0, 4));
        assertEquals("tail split: tiles 10, SMs 0, key tiles 4", e.getMessage());
    }
}
