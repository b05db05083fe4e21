package dev.sparkdit.datasets;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptRulesTest {

    private static final PromptDefaults DEFAULTS = PromptDefaults.of(42L, 1024, 768, 28, 3.5);

    private static PromptRow row(String id, String prompt, String prompt2, Long seed, Long width, Long height,
                                 Long steps, Double guidance) {
        return new PromptRow(id, prompt, prompt2, seed, width, height, steps, guidance);
    }

    private static String reason(PromptRow row) {
        return assertInstanceOf(RejectedPrompt.class, PromptRules.check(row, 1, DEFAULTS)).reason();
    }

    @Test
    void fillsEveryMissingValueFromTheDefaults() {
        RenderRequest r = assertInstanceOf(RenderRequest.class,
                PromptRules.check(PromptRow.of("a", "a red kite"), 1, DEFAULTS));
        assertEquals(new RenderRequest("a", "a red kite", "a red kite", PromptSeeds.derive(42L, "a"), 1024, 768, 28,
                3.5), r);
    }

    @Test
    void keepsTheRowsOwnValues() {
        RenderRequest r = assertInstanceOf(RenderRequest.class, PromptRules.check(
                row("b", "clip text", "t5 text", 7L, 32L, 48L, 4L, 0.0), 1, DEFAULTS));
        assertEquals(new RenderRequest("b", "clip text", "t5 text", 7L, 32, 48, 4, 0.0), r);
    }

    @Test
    void namesMissingOrBlankIdsAndPrompts() {
        assertEquals("prompt_id is null", reason(PromptRow.of(null, "x")));
        assertEquals("prompt_id is empty", reason(PromptRow.of("", "x")));
        assertEquals("prompt_id is blank", reason(PromptRow.of(" \t", "x")));
        assertEquals("prompt is null", reason(PromptRow.of("a", null)));
        assertEquals("prompt is empty", reason(PromptRow.of("a", "")));
        assertEquals("prompt is blank", reason(PromptRow.of("a", "   ")));
        assertEquals("prompt_2 is empty (leave it null to use prompt)", reason(row("a", "x", "", null, null, null,
                null, null)));
        assertEquals("prompt_2 is blank (leave it null to use prompt)", reason(row("a", "x", "\n", null, null, null,
                null, null)));
    }

    @Test
    void sidesMustBeMultiplesOf16InsideTheLimits() {
        assertEquals("width 1000 is not a multiple of 16", reason(row("a", "x", null, null, 1000L, null, null, null)));
        assertEquals("height 8192 is outside 16..4096", reason(row("a", "x", null, null, null, 8192L, null, null)));
        assertEquals("width 0 is outside 16..4096", reason(row("a", "x", null, null, 0L, null, null, null)));
        assertEquals("height -8 is not a multiple of 16; height -8 is outside 16..4096",
                reason(row("a", "x", null, null, null, -8L, null, null)));
        assertEquals("width 5000000000 is outside 16..4096",
                reason(row("a", "x", null, null, 5_000_000_000L, null, null, null)));
    }

    @Test
    void stepsAndGuidanceMustBeInRange() {
        assertEquals("steps 0 is outside 1..1000", reason(row("a", "x", null, null, null, null, 0L, null)));
        assertEquals("steps 1001 is outside 1..1000", reason(row("a", "x", null, null, null, null, 1001L, null)));
        assertEquals("guidance NaN is not finite", reason(row("a", "x", null, null, null, null, null, Double.NaN)));
        assertEquals("guidance Infinity is not finite",
                reason(row("a", "x", null, null, null, null, null, Double.POSITIVE_INFINITY)));
        assertEquals("guidance -0.5 is outside 0.0..100.0", reason(row("a", "x", null, null, null, null, null, -0.5)));
        assertEquals("guidance 100.5 is outside 0.0..100.0",
                reason(row("a", "x", null, null, null, null, null, 100.5)));
    }

    @Test
    void listsEveryBrokenRuleOfARow() {
        RejectedPrompt r = assertInstanceOf(RejectedPrompt.class, PromptRules.check(
                row("dup", " ", null, 5L, 1000L, 64L, 0L, Double.NaN), 3, DEFAULTS));
        assertEquals("prompt is blank; width 1000 is not a multiple of 16; steps 0 is outside 1..1000; "
                + "guidance NaN is not finite; prompt_id 'dup' appears 3 times", r.reason());
        assertEquals(new RejectedPrompt("dup", " ", null, "5", "1000", "64", "0", "NaN", r.reason()), r);
    }

    @Test
    void limitsAreConfigurable() {
        PromptDefaults tiny = new PromptDefaults(1L, 32, 32, 2, 1.0, new PromptLimits(16, 64, 1, 4, 0.0, 10.0));
        assertEquals("steps 5 is outside 1..4", assertInstanceOf(RejectedPrompt.class, PromptRules.check(
                row("a", "x", null, null, null, null, 5L, null), 1, tiny)).reason());
        assertEquals("width 128 is outside 16..64", assertInstanceOf(RejectedPrompt.class, PromptRules.check(
                row("a", "x", null, null, 128L, null, null, null), 1, tiny)).reason());
        assertInstanceOf(RenderRequest.class, PromptRules.check(PromptRow.of("a", "x"), 1, tiny));
    }

    @Test
    void rejectsEveryRowSharingAnId() {
        List<CheckedPrompt> checked = PromptRules.checkAll(List.of(PromptRow.of("a", "one"), PromptRow.of("b", "two"),
                PromptRow.of("a", "three"), PromptRow.of(null, "four"), PromptRow.of(null, "five")), DEFAULTS);
        assertEquals("prompt_id 'a' appears 2 times", ((RejectedPrompt) checked.get(0)).reason());
        assertInstanceOf(RenderRequest.class, checked.get(1));
        assertEquals("prompt_id 'a' appears 2 times", ((RejectedPrompt) checked.get(2)).reason());
        // Rows without an id are rejected for that alone, not as duplicates of each other.
        assertEquals("prompt_id is null", ((RejectedPrompt) checked.get(3)).reason());
        assertEquals("prompt_id is null", ((RejectedPrompt) checked.get(4)).reason());
    }

    @Test
    void duplicateReasonQuotesHostileIdsOnOneLine() {
        assertEquals("prompt_id 'a\\u000ab\\'c' appears 2 times", PromptRules.duplicateId("a\nb'c", 2));
        String reason = PromptRules.duplicateId("x".repeat(10_000), 2);
        assertTrue(reason.length() < 200, reason);
        assertTrue(reason.contains("(10000 chars)"), reason);
    }

    @Test
    void defaultsMustMeetTheirLimits() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PromptDefaults.of(0L, 1000, 1024, 0, 3.5));
        assertEquals("bad prompt defaults: width 1000 is not a multiple of 16; steps 0 is outside 1..1000",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PromptLimits(16, 8, 1, 10, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new PromptLimits(16, 64, 0, 10, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new PromptLimits(16, 64, 1, 10, 0, Double.NaN));
    }

    @Test
    void aRenderRequestRefusesWhatNoRendererAccepts() {
        assertEquals("width must be a positive multiple of 16, got 30", assertThrows(IllegalArgumentException.class,
                () -> new RenderRequest("a", "x", "x", 1, 30, 32, 1, 0)).getMessage());
        assertEquals("prompt must not be null or blank, got ' '", assertThrows(IllegalArgumentException.class,
                () -> new RenderRequest("a", " ", "x", 1, 32, 32, 1, 0)).getMessage());
    }

    @Test
    void failPolicyMessageCountsAllAndListsTheFirst() {
        List<RejectedPrompt> listed = List.of(RejectedPrompt.of(PromptRow.of("a", ""), "prompt is empty"),
                RejectedPrompt.of(PromptRow.of(null, "x"), "prompt_id is null"));
        BadPromptsException e = new BadPromptsException("/t/prompts", 57, listed);
        assertEquals("57 bad rows in prompt table /t/prompts (on bad row: fail); the first 2:\n"
                + "  prompt_id 'a': prompt is empty\n"
                + "  prompt_id null: prompt_id is null", e.getMessage());
        assertEquals(57, e.badRows());
    }
}
