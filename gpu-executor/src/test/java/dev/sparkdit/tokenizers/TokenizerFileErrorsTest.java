package dev.sparkdit.tokenizers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Corrupt or unsupported files are refused with the file, the place in it and the value named. */
class TokenizerFileErrorsTest {
    private static final Path CLIP = GoldenTokenizerCase.resource("tokenizers_tiny/clip");
    private static final Path T5 = GoldenTokenizerCase.resource("tokenizers_tiny/t5");

    private static Path edited(Path tmp, Path original, String from, String to) throws IOException {
        String s = Files.readString(original);
        assertTrue(s.contains(from), "fixture text '" + from + "' not in " + original);
        Path f = tmp.resolve(original.getFileName());
        Files.writeString(f, s.replace(from, to));
        return f;
    }

    /** A copy of a JSON file with the string field at {@code pointer}'s parent object set. */
    private static Path editedJson(Path tmp, Path original, String objectPointer, String field, String value)
            throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode root = json.readTree(original.toFile());
        JsonNode target = root.at(objectPointer);
        assertTrue(target.isObject(), objectPointer + " is not an object in " + original);
        ((ObjectNode) target).put(field, value);
        Path f = tmp.resolve(original.getFileName());
        json.writeValue(f.toFile(), root);
        return f;
    }

    private static String failure(Class<? extends Exception> type, org.junit.jupiter.api.function.Executable load,
                                  Path file) {
        Exception e = assertThrows(type, load);
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void truncatedTokenizerJson(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("tokenizer.json");
        byte[] all = Files.readAllBytes(CLIP.resolve("tokenizer.json"));
        Files.write(f, Arrays.copyOf(all, all.length / 2));
        String m = failure(TokenizerFileException.class, () -> ClipTokenizer.fromTokenizerJson(f), f);
        assertTrue(m.contains("not valid JSON"), m);
    }

    @Test
    void unsupportedNormalizerIsNamedWithItsPlace(@TempDir Path tmp) throws IOException {
        Path f = editedJson(tmp, CLIP.resolve("tokenizer.json"), "/normalizer/normalizers/0", "type", "NFKD");
        String m = failure(TokenizerFileException.class, () -> ClipTokenizer.fromTokenizerJson(f), f);
        assertTrue(m.contains("normalizer.normalizers[0]") && m.contains("'NFKD'") && m.contains("NFC, Lowercase"), m);
    }

    @Test
    void unsupportedPreTokenizerIsNamed(@TempDir Path tmp) throws IOException {
        Path f = editedJson(tmp, CLIP.resolve("tokenizer.json"), "/pre_tokenizer/pretokenizers/1", "type", "Digits");
        String m = failure(TokenizerFileException.class, () -> ClipTokenizer.fromTokenizerJson(f), f);
        assertTrue(m.contains("pre_tokenizer.pretokenizers[1]") && m.contains("'Digits'"), m);
    }

    @Test
    void wrongModelTypeIsNamed() {
        Path f = T5.resolve("tokenizer.json");
        String m = failure(TokenizerFileException.class, () -> ClipTokenizer.fromTokenizerJson(f), f);
        assertTrue(m.contains("model.type: 'Unigram' where a BPE model is expected"), m);
    }

    @Test
    void t5RefusesANormalizerOutsideItsPipeline(@TempDir Path tmp) throws IOException {
        Path f = editedJson(tmp, T5.resolve("tokenizer.json"), "/normalizer/normalizers/1", "type", "Lowercase");
        String m = failure(TokenizerFileException.class, () -> T5Tokenizer.fromTokenizerJson(f), f);
        assertTrue(m.contains("normalizer.normalizers[1]") && m.contains("'Lowercase'"), m);
    }

    @Test
    void unsupportedMetaspacePrependSchemeIsNamed(@TempDir Path tmp) throws IOException {
        Path f = editedJson(tmp, T5.resolve("tokenizer.json"), "/pre_tokenizer", "prepend_scheme", "first");
        String m = failure(TokenizerFileException.class, () -> T5Tokenizer.fromTokenizerJson(f), f);
        assertTrue(m.contains("pre_tokenizer.prepend_scheme") && m.contains("'first'"), m);
    }

    @Test
    void corruptCharsmapIsNamed(@TempDir Path tmp) throws IOException {
        // The first 4 bytes declare the trie's size: 0xFFFFFFFF is past the end of the blob.
        String blob = new ObjectMapper().readTree(T5.resolve("tokenizer.json").toFile())
                .at("/normalizer/normalizers/0/precompiled_charsmap").asText();
        Path f = editedJson(tmp, T5.resolve("tokenizer.json"), "/normalizer/normalizers/0", "precompiled_charsmap",
                "/////w" + blob.substring(6));
        String m = failure(TokenizerFileException.class, () -> T5Tokenizer.fromTokenizerJson(f), f);
        assertTrue(m.contains("normalizer.normalizers[0].precompiled_charsmap") && m.contains("trie"), m);
    }

    @Test
    void truncatedSpieceModelNamesFileAndOffset(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("spiece.model");
        byte[] all = Files.readAllBytes(T5.resolve("spiece.model"));
        boolean sawOffset = false;
        for (int length : new int[] {3, 1000, 1001, 1002, 1003, all.length / 2, all.length - 1}) {
            Files.write(f, Arrays.copyOf(all, length));
            String m = failure(TokenizerFileException.class, () -> T5Tokenizer.fromSentencePiece(f), f);
            assertTrue(m.contains("not a SentencePiece model?") || m.contains("truncated file?"), m);
            sawOffset |= m.matches(".*: byte \\d+: .*");
        }
        assertTrue(sawOffset, "a cut inside a field names the byte offset");
    }

    @Test
    void textFileAsSpieceModelIsRefused(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("spiece.model");
        Files.writeString(f, "version https://git-lfs.github.com/spec/v1\n");
        failure(TokenizerFileException.class, () -> T5Tokenizer.fromSentencePiece(f), f);
    }

    @Test
    void badMergesLineNamesItsNumber(@TempDir Path tmp) throws IOException {
        Files.copy(CLIP.resolve("vocab.json"), tmp.resolve("vocab.json"));
        Path merges = tmp.resolve("merges.txt");
        Files.writeString(merges, "#version: 0.2\ni n\nthree parts here\n", StandardCharsets.UTF_8);
        String m = failure(TokenizerFileException.class,
                () -> ClipTokenizer.fromVocabAndMerges(tmp.resolve("vocab.json"), merges), merges);
        assertTrue(m.contains("line 3 'three parts here'"), m);
    }

    @Test
    void mergeOutsideTheVocabularyIsNamed(@TempDir Path tmp) throws IOException {
        Files.copy(CLIP.resolve("vocab.json"), tmp.resolve("vocab.json"));
        Path merges = tmp.resolve("merges.txt");
        Files.writeString(merges, "#version: 0.2\ni n\nq z\n", StandardCharsets.UTF_8);
        String m = failure(TokenizerFileException.class,
                () -> ClipTokenizer.fromVocabAndMerges(tmp.resolve("vocab.json"), merges), merges);
        assertTrue(m.contains("merge 2 'q z'") && m.contains("'qz' is not in the vocabulary"), m);
    }

    @Test
    void vocabWithoutTheSpecialTokensIsNamed(@TempDir Path tmp) throws IOException {
        Path vocab = edited(tmp, CLIP.resolve("vocab.json"), "\"<|startoftext|>\"", "\"<|start|>\"");
        Files.copy(CLIP.resolve("merges.txt"), tmp.resolve("merges.txt"));
        String m = failure(TokenizerFileException.class,
                () -> ClipTokenizer.fromVocabAndMerges(vocab, tmp.resolve("merges.txt")), vocab);
        assertTrue(m.contains("'<|startoftext|>', the bos_token"), m);
    }

    @Test
    void exceptionCarriesFileAndProblem(@TempDir Path tmp) {
        Path f = tmp.resolve("tokenizer.json");
        TokenizerFileException e = assertThrows(TokenizerFileException.class, () -> T5Tokenizer.fromTokenizerJson(f));
        assertEquals(f, e.file());
        assertEquals("no such file", e.problem());
    }
}
