package dev.sparkdit.parity;

import dev.sparkdit.tensor.DType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The FLUX transformer on the CPU backend against diffusers' fp32 output (golden README: <= 1e-5). */
class FluxGoldenParityTest {

    @ParameterizedTest
    @ValueSource(strings = {"flux_tiny_dev", "flux_tiny_schnell"})
    void matchesDiffusersInFp32(String name) throws Exception {
        ParityCase c = ParityCase.open(GoldenCases.dir(name));
        List<ParityResult> results = FluxParity.run(c, ParityOptions.single("cpu", DType.F32));
        assertEquals(1, results.size());
        ParityResult r = results.get(0);
        System.out.printf("%s: rel_l2 %.3e max_abs %.3e%n", name, r.error().relL2(), r.error().maxAbs());
        assertEquals(0, r.error().nonFinite());
        assertTrue(r.error().relL2() <= 1e-5, name + " rel_l2 " + r.error().relL2() + " > 1e-5");
        assertTrue(r.passed());
    }
}
