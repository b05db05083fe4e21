package dev.sparkdit.tokenizers;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FluxPipeline's call: content cut to max length minus the special tokens, the closing special token
 * kept, right padding, and the dropped count reported. (The golden set truncates for T5 only; CLIP's
 * longest golden prompt fits in 77.)
 */
class TokenizerTruncationTest {
    static ClipTokenizer clip;
    static T5Tokenizer t5;

    @BeforeAll
    static void load() throws IOException {
        clip = TokenizerFolder.clip(GoldenTokenizerCase.resource("tokenizers_tiny/clip"));
        t5 = TokenizerFolder.t5(GoldenTokenizerCase.resource("tokenizers_tiny/t5"));
    }

    @Test
    void clipKeepsBosTheFirst75TokensAndEos() {
        String prompt = "a red fox sleeping in fresh snow, soft morning light, ".repeat(8);
        int[] all = clip.tokenize(prompt);
        assertTrue(all.length > 77, "the prompt must need more than 77 tokens, needs " + all.length);
        Encoding e = clip.encode(prompt, 77);
        int[] ids = e.ids();
        assertEquals(77, ids.length);
        assertEquals(77, e.length());
        assertEquals(all.length, e.untruncatedLength());
        assertEquals(all.length - 77, e.truncatedTokens());
        assertTrue(e.truncated());
        assertArrayEquals(Arrays.copyOf(all, 76), Arrays.copyOf(ids, 76));
        assertEquals(all[all.length - 1], ids[76], "eos stays the last token");
        assertEquals(1137, ids[76]);
    }

    @Test
    void t5KeepsEosAndPadsWithZero() {
        Encoding shortOne = t5.encode("a red fox", 512);
        assertEquals(512, shortOne.ids().length);
        assertEquals(0, shortOne.truncatedTokens());
        int[] ids = shortOne.ids();
        assertEquals(1, ids[shortOne.length() - 1]);
        for (int i = shortOne.length(); i < 512; i++) {
            assertEquals(0, ids[i]);
        }
        String longPrompt = "a red fox sleeping in fresh snow, ".repeat(10);
        int[] all = t5.tokenize(longPrompt);
        Encoding cut = t5.encode(longPrompt, 16);
        assertEquals(16, cut.length());
        assertEquals(all.length - 16, cut.truncatedTokens());
        assertArrayEquals(Arrays.copyOf(all, 15), Arrays.copyOf(cut.ids(), 15));
        assertEquals(1, cut.ids()[15]);
    }

    @Test
    void exactFitIsNotTruncated() {
        String prompt = "a red fox sleeping in fresh snow";
        int n = t5.tokenize(prompt).length;
        Encoding e = t5.encode(prompt, n);
        assertEquals(0, e.truncatedTokens());
        assertEquals(n, e.length());
        assertEquals(1, t5.encode(prompt, n - 1).truncatedTokens());
    }

    @Test
    void aMaxLengthThatCannotHoldTheSpecialTokensIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> clip.encode("a", 1));
        assertTrue(e.getMessage().contains("max length 1") && e.getMessage().contains("2 special tokens"),
                e.getMessage());
        assertEquals(2, clip.encode("a red fox", 2).length(), "bos + eos alone fit in 2");
    }

    @Test
    void t5IgnoresWhitespaceAtTheEndsAsTransformers5Does() {
        int[] plain = t5.tokenize("a red fox");
        assertArrayEquals(plain, t5.tokenize("  a red fox \n"));
        assertArrayEquals(plain, t5.tokenize("a  red\tfox"));
    }

    @Test
    void specialTokensWrittenInThePromptAreMatched() {
        int[] ids = t5.tokenize("a </s> b");
        assertEquals(1, ids[1], Arrays.toString(ids));
        int[] c = clip.tokenize("a <|endoftext|>");
        assertEquals(1137, c[c.length - 2], Arrays.toString(c));
    }

    @Test
    void anUnpairedSurrogateIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t5.tokenize("a\uD800b"));
        assertTrue(e.getMessage().contains("U+D800") && e.getMessage().contains("index 1"), e.getMessage());
    }
}
