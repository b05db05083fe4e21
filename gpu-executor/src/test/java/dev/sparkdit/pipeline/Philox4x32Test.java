package dev.sparkdit.pipeline;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Random123's known-answer vectors for philox4x32 with 10 rounds (examples/kat_vectors of the
 * Random123 distribution; the first three are the ones every Philox port checks, the rest set one
 * counter word at a time under a one-word key).
 */
class Philox4x32Test {

    @ParameterizedTest(name = "ctr {0} {1} {2} {3} key {4} {5}")
    @CsvSource(delimiter = ' ', value = {
        "00000000 00000000 00000000 00000000 00000000 00000000 6627e8d5 e169c58d bc57ac4c 9b00dbd8",
        "ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff 408f276d 41c83b0e a20bc7c6 6d5451fd",
        "243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0 d16cfe09 94fdcceb 5001e420 24126ea1",
        "00000001 00000000 00000000 00000000 00000001 00000000 ac08141b dfc5ccbe 79c07a47 a7f66093",
        "00000000 00000001 00000000 00000000 00000001 00000000 833ff8dc 225c963c 232b88b3 0b334b07",
        "00000000 00000000 00000001 00000000 00000001 00000000 07071c12 428264b6 3909104b 6da2bda2",
        "00000000 00000000 00000000 00000001 00000001 00000000 127bee41 1e047488 48842b20 0a393496",
        "00000001 00000000 00000000 00000000 00000000 80000000 e29b9f84 2903d316 42a1f56f 1ad02eab",
        "243f6a88 85a308d3 13198a2e 03707344 00000000 ffffffff 08f7720c 845ee9e0 502ccd3d a9a00e27",
    })
    void matchesRandom123KnownAnswers(String c0, String c1, String c2, String c3, String k0, String k1,
                                      String e0, String e1, String e2, String e3) {
        int[] out = new int[4];
        Philox4x32.block(hex(c0), hex(c1), hex(c2), hex(c3), hex(k0), hex(k1), out);
        assertArrayEquals(new int[] {hex(e0), hex(e1), hex(e2), hex(e3)}, out);
    }

    private static int hex(String s) {
        return Integer.parseUnsignedInt(s, 16);
    }
}
