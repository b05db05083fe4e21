package dev.sparkdit.parity;

import dev.sparkdit.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole pipeline on the CPU backend against diffusers' FluxPipeline (golden README: 1e-4 for the 4-step pipeline,
 * final latents and image), from embeddings and from prompt text through a diffusers model folder; and over 2 and 3
 * Gloo ranks against the single rank.
 */
class PipelineGoldenParityTest {
    private static void check(List<ParityResult> results, int outputs) {
        assertEquals(outputs, results.size());
        for (ParityResult r : results) {
            System.out.printf("%s %s [%s]: rel_l2 %.3e max_abs %.3e%n", r.caseName(), r.output(), r.parallel(),
                    r.error().relL2(), r.error().maxAbs());
            assertEquals(0, r.error().nonFinite(), r.output());
            assertEquals(1e-4, r.tolerance());
            assertTrue(r.error().relL2() <= 1e-4, r.caseName() + " " + r.output() + " rel_l2 " + r.error().relL2());
        }
    }

    @Test
    void fromEmbeddingsMatchesDiffusers() throws Exception {
        ParityCase c = ParityCase.open(GoldenCases.dir("pipeline_tiny"));
        assertTrue(PipelineParity.isCase(c));
        check(PipelineParity.run(c, ParityOptions.single("cpu", DType.F32)), 2);
    }

    @Test
    void fromPromptTextMatchesDiffusers() throws Exception {
        ParityCase c = ParityCase.open(GoldenCases.dir("pipeline_text_tiny"));
        assertTrue(PipelineParity.isTextCase(c));
        check(PipelineParity.runText(c, ParityOptions.single("cpu", DType.F32)), 8);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void shardedOverGlooRanksMatchesToo(int ranks) throws Exception {
        ParityCase c = ParityCase.open(GoldenCases.dir("pipeline_text_tiny"));
        check(PipelineParity.runText(c, new ParityOptions("cpu", DType.F32, Double.NaN, ranks, ranks, 1, false,
                false)), 8);
    }
}
