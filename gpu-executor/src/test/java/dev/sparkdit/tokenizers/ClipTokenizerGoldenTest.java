package dev.sparkdit.tokenizers;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** CLIP ids against transformers' CLIPTokenizer, every golden prompt, both file layouts. */
class ClipTokenizerGoldenTest {
    static GoldenTokenizerCase golden;

    @BeforeAll
    static void load() throws IOException {
        golden = GoldenTokenizerCase.load();
    }

    @Test
    void tokenizerJsonGivesTheReferenceIds() throws IOException {
        check(ClipTokenizer.fromTokenizerJson(golden.dir.resolve("clip/tokenizer.json")));
    }

    @Test
    void vocabAndMergesGiveTheReferenceIds() throws IOException {
        Path clip = golden.dir.resolve("clip");
        check(ClipTokenizer.fromVocabAndMerges(clip.resolve("vocab.json"), clip.resolve("merges.txt")));
    }

    private void check(ClipTokenizer tokenizer) {
        assertEquals(golden.clipMaxLength, tokenizer.modelMaxLength());
        assertEquals(1137, tokenizer.padId());
        for (int i = 0; i < golden.prompts.size(); i++) {
            String prompt = golden.prompts.get(i);
            Encoding e = tokenizer.encode(prompt, golden.clipMaxLength);
            assertArrayEquals(golden.clipIds[i], e.ids(), () -> "prompt " + Arrays.asList(prompt) + " via "
                    + tokenizer.source());
            assertEquals(golden.clipUntruncated[i], e.untruncatedLength(), "untruncated length of prompt " + i);
            assertEquals(Math.max(0, golden.clipUntruncated[i] - golden.clipMaxLength), e.truncatedTokens(),
                    "truncated tokens of prompt " + i);
            assertEquals(golden.clipUntruncated[i], tokenizer.tokenize(prompt).length);
        }
    }
}
