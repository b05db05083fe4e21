package dev.sparkdit.tokenizers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whitespace, Unicode (NFC/NFKC, combining marks, emoji, CJK, control characters) and special tokens
 * written in the prompt, against Hugging Face tokenizers' ids (see the resource's "about"): every loader.
 */
class TokenizerEdgeCasesTest {

    @Test
    void clipMatchesHuggingFaceTokenizers() throws Exception {
        Path clip = GoldenTokenizerCase.resource("tokenizers_tiny/clip");
        check("clip", List.of(ClipTokenizer.fromTokenizerJson(clip.resolve("tokenizer.json")),
                ClipTokenizer.fromVocabAndMerges(clip.resolve("vocab.json"), clip.resolve("merges.txt")),
                TokenizerFolder.clip(GoldenTokenizerCase.resource("pipeline_text_tiny/model/tokenizer"))));
    }

    @Test
    void t5MatchesHuggingFaceTokenizersRunningTransformers5Pipeline() throws Exception {
        Path t5 = GoldenTokenizerCase.resource("tokenizers_tiny/t5");
        check("t5", List.of(T5Tokenizer.fromTokenizerJson(t5.resolve("tokenizer.json")),
                T5Tokenizer.fromSentencePiece(t5.resolve("spiece.model")),
                TokenizerFolder.t5(GoldenTokenizerCase.resource("pipeline_text_tiny/model/tokenizer_2"))));
    }

    private static void check(String key, List<TextTokenizer> tokenizers) throws IOException, URISyntaxException {
        JsonNode cases = new ObjectMapper().readTree(Path.of(TokenizerEdgeCasesTest.class
                .getResource("/tokenizers/edge_prompts_hf_tokenizers.json").toURI()).toFile()).get("cases");
        assertTrue(cases.size() > 50);
        for (JsonNode c : cases) {
            String prompt = c.get("prompt").asText();
            int[] expected = new int[c.get(key).size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = c.get(key).get(i).asInt();
            }
            for (TextTokenizer t : tokenizers) {
                assertArrayEquals(expected, t.tokenize(prompt), () -> Arrays.asList(prompt) + " via " + t.source());
            }
        }
    }
}
