package dev.sparkdit.datasets;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplePromptsTest {

    @Test
    void hasHundredsOfDistinctVariedPrompts() {
        List<String> prompts = SamplePrompts.prompts();
        assertTrue(prompts.size() >= 300, "only " + prompts.size() + " prompts");
        assertEquals(prompts.size(), new HashSet<>(prompts).size(), "duplicate prompts");
        assertTrue(prompts.stream().filter(p -> !p.chars().allMatch(c -> c < 128)).count() >= 20,
                "too few non-ASCII prompts");
        // Long enough that CLIP's 77 tokens must cut them.
        assertTrue(prompts.stream().filter(p -> p.length() > 600).count() >= 3, "too few very long prompts");
    }

    @Test
    void rowsAreNumberedAndAllValid() {
        List<PromptRow> rows = SamplePrompts.rows();
        assertEquals("sample-0001", rows.get(0).promptId());
        assertEquals(String.format("sample-%04d", rows.size()), rows.get(rows.size() - 1).promptId());
        for (CheckedPrompt c : PromptRules.checkAll(rows, PromptDefaults.of(0L, 1024, 1024, 28, 3.5))) {
            assertInstanceOf(RenderRequest.class, c);
        }
    }

    @Test
    void syntheticPromptsAreDeterministicAndVaried() {
        assertEquals("p0000001", SyntheticPromptText.id(0));
        assertEquals("p9999999", SyntheticPromptText.id(9_999_998));
        assertEquals("p10000000", SyntheticPromptText.id(9_999_999));
        assertEquals(SyntheticPromptText.prompt(5, 123), SyntheticPromptText.prompt(5, 123));
        HashSet<String> distinct = new HashSet<>();
        int differ = 0;
        for (long i = 0; i < 1000; i++) {
            distinct.add(SyntheticPromptText.prompt(5, i));
            if (!SyntheticPromptText.prompt(5, i).equals(SyntheticPromptText.prompt(6, i))) {
                differ++;
            }
        }
        assertTrue(distinct.size() > 990, distinct.size() + " distinct of 1000");
        assertTrue(differ > 990, differ + " of 1000 rows differ between seeds");
    }
}
