package dev.sparkdit.tokenizers;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which files a model folder's tokenizer/ and tokenizer_2/ are loaded from, and what a missing one says. */
class TokenizerFolderTest {
    static GoldenTokenizerCase golden;

    @BeforeAll
    static void load() throws IOException {
        golden = GoldenTokenizerCase.load();
    }

    @Test
    void savePretrainedModelFolderLoadsAndGivesTheGoldenIds() throws IOException {
        Path model = GoldenTokenizerCase.resource("pipeline_text_tiny/model");
        ClipTokenizer clip = TokenizerFolder.clip(model.resolve("tokenizer"));
        T5Tokenizer t5 = TokenizerFolder.t5(model.resolve("tokenizer_2"));
        assertEquals(77, clip.modelMaxLength());
        assertEquals(512, t5.modelMaxLength());
        assertTrue(t5.source().endsWith("tokenizer.json"), t5.source());
        // Same vocabularies as tokenizers_tiny, so the golden ids apply.
        for (int i = 0; i < golden.prompts.size(); i++) {
            assertArrayEquals(golden.clipIds[i], clip.encode(golden.prompts.get(i), 77).ids(), "prompt " + i);
            assertArrayEquals(golden.t5Ids[i], t5.encode(golden.prompts.get(i), 48).ids(), "prompt " + i);
        }
    }

    @Test
    void prefersTokenizerJsonThenTheOriginalFiles(@TempDir Path tmp) throws IOException {
        Path clipDir = golden.dir.resolve("clip");
        Path t5Dir = golden.dir.resolve("t5");
        assertTrue(TokenizerFolder.clip(clipDir).source().endsWith("tokenizer.json"));
        assertTrue(TokenizerFolder.t5(t5Dir).source().endsWith("tokenizer.json"));

        Path clipOnly = Files.createDirectory(tmp.resolve("tokenizer"));
        Files.copy(clipDir.resolve("vocab.json"), clipOnly.resolve("vocab.json"));
        Files.copy(clipDir.resolve("merges.txt"), clipOnly.resolve("merges.txt"));
        ClipTokenizer clip = TokenizerFolder.clip(clipOnly);
        assertTrue(clip.source().contains("vocab.json"), clip.source());
        assertEquals(ClipTokenizer.DEFAULT_MAX_LENGTH, clip.modelMaxLength());
        assertArrayEquals(golden.clipIds[0], clip.encode(golden.prompts.get(0), 77).ids());

        Path t5Only = Files.createDirectory(tmp.resolve("tokenizer_2"));
        Files.copy(t5Dir.resolve("spiece.model"), t5Only.resolve("spiece.model"));
        T5Tokenizer t5 = TokenizerFolder.t5(t5Only);
        assertTrue(t5.source().endsWith("spiece.model"), t5.source());
        assertEquals(T5Tokenizer.DEFAULT_MAX_LENGTH, t5.modelMaxLength());
        assertEquals(700, t5.vocabSize(), "600 pieces + the default 100 <extra_id_N>");
        assertArrayEquals(golden.t5Ids[60], t5.encode(golden.prompts.get(60), 48).ids());
        assertArrayEquals(new int[] {699, 600, 1}, t5.tokenize("<extra_id_0><extra_id_99>"));
    }

    @Test
    void anEmptyFolderNamesItselfAndTheFilesLookedFor(@TempDir Path tmp) {
        TokenizerFileException clip = assertThrows(TokenizerFileException.class, () -> TokenizerFolder.clip(tmp));
        assertEquals(tmp, clip.file());
        assertTrue(clip.getMessage().startsWith(tmp.toString()), clip.getMessage());
        assertTrue(clip.getMessage().contains("tokenizer.json")
                && clip.getMessage().contains("vocab.json + merges.txt"), clip.getMessage());
        TokenizerFileException t5 = assertThrows(TokenizerFileException.class, () -> TokenizerFolder.t5(tmp));
        assertTrue(t5.getMessage().startsWith(tmp.toString()), t5.getMessage());
        assertTrue(t5.getMessage().contains("tokenizer.json") && t5.getMessage().contains("spiece.model"),
                t5.getMessage());
    }

    @Test
    void aLoneVocabJsonSaysMergesTxtIsMissing(@TempDir Path tmp) throws IOException {
        Files.copy(golden.dir.resolve("clip/vocab.json"), tmp.resolve("vocab.json"));
        TokenizerFileException e = assertThrows(TokenizerFileException.class, () -> TokenizerFolder.clip(tmp));
        assertTrue(e.getMessage().contains("found only vocab.json"), e.getMessage());
    }

    @Test
    void aMissingFolderIsNamed(@TempDir Path tmp) {
        Path missing = tmp.resolve("tokenizer_2");
        TokenizerFileException e = assertThrows(TokenizerFileException.class, () -> TokenizerFolder.t5(missing));
        assertEquals(missing + ": no such folder", e.getMessage());
    }
}
