package dev.sparkdit.tokenizers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens the tokenizer in a diffusers model folder's {@code tokenizer/} (CLIP) or {@code tokenizer_2/}
 * (T5) subfolder from whichever files it has: {@code tokenizer.json} first (what save_pretrained
 * writes), else the FLUX.1 repositories' originals ({@code vocab.json} + {@code merges.txt} for CLIP,
 * {@code spiece.model} for T5). Nothing is ever downloaded.
 */
public final class TokenizerFolder {
    private TokenizerFolder() {
    }

    /** CLIP from {@code folder} (a model's {@code tokenizer/}). */
    public static ClipTokenizer clip(Path folder) throws IOException {
        requireFolder(folder);
        Path json = folder.resolve(TokenizerJson.FILE_NAME);
        if (Files.isRegularFile(json)) {
            return ClipTokenizer.fromTokenizerJson(json);
        }
        Path vocab = folder.resolve(ClipTokenizer.VOCAB);
        Path merges = folder.resolve(ClipTokenizer.MERGES);
        if (Files.isRegularFile(vocab) && Files.isRegularFile(merges)) {
            return ClipTokenizer.fromVocabAndMerges(vocab, merges);
        }
        throw new TokenizerFileException(folder, "no CLIP tokenizer files: looked for " + TokenizerJson.FILE_NAME
                + ", or " + ClipTokenizer.VOCAB + " + " + ClipTokenizer.MERGES + present(vocab, merges));
    }

    /** T5 from {@code folder} (a model's {@code tokenizer_2/}). */
    public static T5Tokenizer t5(Path folder) throws IOException {
        requireFolder(folder);
        Path json = folder.resolve(TokenizerJson.FILE_NAME);
        if (Files.isRegularFile(json)) {
            return T5Tokenizer.fromTokenizerJson(json);
        }
        Path spiece = folder.resolve(SentencePieceModelFile.FILE_NAME);
        if (Files.isRegularFile(spiece)) {
            return T5Tokenizer.fromSentencePiece(spiece);
        }
        throw new TokenizerFileException(folder, "no T5 tokenizer files: looked for " + TokenizerJson.FILE_NAME
                + ", or " + SentencePieceModelFile.FILE_NAME);
    }

    private static void requireFolder(Path folder) throws TokenizerFileException {
        if (!Files.isDirectory(folder)) {
            throw new TokenizerFileException(folder, Files.exists(folder) ? "not a folder" : "no such folder");
        }
    }

    /** Says which half of a two-file layout is there, since a lone vocab.json is the likely mistake. */
    private static String present(Path... files) {
        StringBuilder sb = new StringBuilder();
        for (Path f : files) {
            if (Files.isRegularFile(f)) {
                sb.append(sb.length() == 0 ? " (found only " : ", ").append(f.getFileName());
            }
        }
        return sb.length() == 0 ? "" : sb.append(')').toString();
    }
}
