package dev.sparkdit.images;

import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerationParametersTest {

    @Test
    void formatsLikeTheWebUi() {
        GenerationParameters p = new GenerationParameters("a cat", 42L, 28, 3.5, 1024, 768, "FLUX.1-dev",
                "SparkDiT 0.1.0");
        assertEquals("a cat\nSteps: 28, Sampler: FlowMatch Euler, CFG scale: 1, Guidance: 3.5, Seed: 42, "
                + "Size: 1024x768, Model: FLUX.1-dev, Version: SparkDiT 0.1.0", p.infotext());
    }

    @Test
    void numbersArePlainDecimals() {
        assertEquals("1", GenerationParameters.number(1.0));
        assertEquals("0", GenerationParameters.number(-0.0));
        assertEquals("3.5", GenerationParameters.number(3.5));
        assertEquals("0.00001", GenerationParameters.number(1e-5));
        assertEquals("100", GenerationParameters.number(100));
    }

    @Test
    void valuesWithSeparatorsAreQuotedSoReadersSplitCorrectly() {
        GenerationParameters p = new GenerationParameters("", 1L, 4, 0, 16, 16, "flux: my \"fine-tune\", v2",
                "SparkDiT 0.1.0");
        Map<String, String> f = PngWriterTest.parse(p.infotext());
        assertEquals("flux: my \"fine-tune\", v2", f.get("Model"));
        assertEquals("SparkDiT 0.1.0", f.get("Version"));
        assertEquals("", f.get("Prompt"));
    }

    @Test
    void badFieldsAreNamed() {
        String[][] cases = {
            {"steps must be > 0, got 0"},
            {"guidance must be finite and >= 0, got NaN"},
            {"image size must be positive, got 0x16"},
            {"model must be one non-blank line"},
            {"prompt contains a NUL character at index 1"},
            {"prompt contains an unpaired UTF-16 surrogate U+D83C at index 2"},
        };
        Runnable[] makers = {
            () -> new GenerationParameters("p", 1, 0, 1, 16, 16, "m", "v"),
            () -> new GenerationParameters("p", 1, 1, Double.NaN, 16, 16, "m", "v"),
            () -> new GenerationParameters("p", 1, 1, 1, 0, 16, "m", "v"),
            () -> new GenerationParameters("p", 1, 1, 1, 16, 16, "a\nb", "v"),
            () -> new GenerationParameters("a\0b", 1, 1, 1, 16, 16, "m", "v"),
            () -> new GenerationParameters("ab\uD83C", 1, 1, 1, 16, 16, "m", "v"),
        };
        for (int i = 0; i < makers.length; i++) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, makers[i]::run);
            assertTrue(e.getMessage().contains(cases[i][0]), e.getMessage());
        }
    }
}
