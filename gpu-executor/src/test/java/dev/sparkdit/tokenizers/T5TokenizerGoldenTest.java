package dev.sparkdit.tokenizers;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** T5 ids against transformers' T5Tokenizer, every golden prompt, tokenizer.json and spiece.model. */
class T5TokenizerGoldenTest {
    static GoldenTokenizerCase golden;

    @BeforeAll
    static void load() throws IOException {
        golden = GoldenTokenizerCase.load();
    }

    @Test
    void tokenizerJsonGivesTheReferenceIds() throws IOException {
        check(T5Tokenizer.fromTokenizerJson(golden.dir.resolve("t5/tokenizer.json")));
    }

    @Test
    void spieceModelGivesTheReferenceIds() throws IOException {
        check(T5Tokenizer.fromSentencePiece(golden.dir.resolve("t5/spiece.model")));
    }

    @Test
    void theGoldenSetTruncatesAtLeastOnePrompt() {
        // Otherwise the truncation checks below would prove nothing.
        assertTrue(Arrays.stream(golden.t5Untruncated).anyMatch(n -> n > golden.t5MaxLength));
    }

    private void check(T5Tokenizer tokenizer) {
        assertEquals(0, tokenizer.padId());
        assertEquals(700, tokenizer.vocabSize());
        for (int i = 0; i < golden.prompts.size(); i++) {
            String prompt = golden.prompts.get(i);
            Encoding e = tokenizer.encode(prompt, golden.t5MaxLength);
            assertArrayEquals(golden.t5Ids[i], e.ids(), () -> "prompt " + Arrays.asList(prompt) + " via "
                    + tokenizer.source());
            assertEquals(golden.t5Untruncated[i], e.untruncatedLength(), "untruncated length of prompt " + i);
            assertEquals(Math.max(0, golden.t5Untruncated[i] - golden.t5MaxLength), e.truncatedTokens(),
                    "truncated tokens of prompt " + i);
            assertEquals(golden.t5Untruncated[i], tokenizer.tokenize(prompt).length);
        }
    }
}
