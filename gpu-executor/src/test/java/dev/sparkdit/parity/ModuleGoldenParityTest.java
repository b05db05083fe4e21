package dev.sparkdit.parity;

import dev.sparkdit.tensor.DType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * T5, CLIP and the VAE decoder on the CPU backend against transformers' / diffusers' fp32 outputs (golden README:
 * single modules <= 1e-5).
 */
class ModuleGoldenParityTest {
    private static void check(List<ParityResult> results, int outputs) {
        assertEquals(outputs, results.size());
        for (ParityResult r : results) {
            System.out.printf("%s %s: rel_l2 %.3e max_abs %.3e%n", r.caseName(), r.output(), r.error().relL2(),
                    r.error().maxAbs());
            assertEquals(0, r.error().nonFinite(), r.output());
            assertTrue(r.error().relL2() <= 1e-5, r.caseName() + " " + r.output() + " rel_l2 " + r.error().relL2());
            assertEquals(1e-5, r.tolerance());
        }
    }

    @Test
    void t5EncoderMatchesTransformers() throws Exception {
        ParityCase c = ParityCase.open(GoldenCases.dir("t5_tiny"));
        assertTrue(T5Parity.isCase(c));
        check(T5Parity.run(c, ParityOptions.single("cpu", DType.F32)), 1);
    }

    @Test
    void clipTextEncoderMatchesTransformers() throws Exception {
        ParityCase c = ParityCase.open(GoldenCases.dir("clip_tiny"));
        assertTrue(ClipParity.isCase(c));
        check(ClipParity.run(c, ParityOptions.single("cpu", DType.F32)), 2);
    }

    @Test
    void vaeDecoderMatchesDiffusers() throws Exception {
        ParityCase c = ParityCase.open(GoldenCases.dir("vae_tiny"));
        assertTrue(VaeParity.isCase(c));
        check(VaeParity.run(c, ParityOptions.single("cpu", DType.F32)), 1);
    }
}
