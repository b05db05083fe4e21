package dev.sparkdit.tokenizers;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CLIP's byte-level BPE tokenizer (FLUX.1's {@code tokenizer/}), giving the ids transformers'
 * {@code CLIPTokenizer} gives: NFC, whitespace runs to one space, lower case; CLIP's word regex;
 * byte-to-character mapping; BPE with the {@code </w>} end-of-word suffix; {@code <|startoftext|>} ...
 * {@code <|endoftext|>} around the content; padding with the pad token ({@code <|endoftext|>}).
 *
 * <p>Loads from a {@code tokenizer.json} (running the pipeline the file declares) or from
 * {@code vocab.json} + {@code merges.txt} (the pipeline above, as the reference builds it), reading
 * {@code tokenizer_config.json} / {@code special_tokens_map.json} beside them when present.
 */
public final class ClipTokenizer extends PipelineTokenizer {
    /** CLIP's text length (its position embeddings), used when no tokenizer_config.json says otherwise. */
    public static final int DEFAULT_MAX_LENGTH = 77;
    static final String VOCAB = "vocab.json";
    static final String MERGES = "merges.txt";

    /** CLIP's words: its special tokens, English contractions, letter runs, single digits, other runs. */
    static final Pattern WORDS = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private static final ObjectMapper JSON = new ObjectMapper();

    private ClipTokenizer(TokenizerPipeline pipeline) {
        super(pipeline);
    }

    /** From a Hugging Face {@code tokenizer.json} with a BPE model. */
    public static ClipTokenizer fromTokenizerJson(Path file) throws IOException {
        TokenizerJson json = TokenizerJson.read(file);
        TokenizerConfig config = TokenizerConfig.read(folderOf(file));
        BytePairModel model = json.bpe();
        List<AddedToken> added = json.addedTokens();
        int[][] specials = json.specialIds();
        String pad = config.token("pad_token", "<|endoftext|>");
        int padId = TokenizerPipeline.idOf(pad, added, model);
        if (padId < 0) {
            throw new TokenizerFileException(file, "pad token '" + pad + "' (pad_token) is neither an added token"
                    + " nor in model.vocab");
        }
        return new ClipTokenizer(new TokenizerPipeline(added, json.normalizer(), json.preTokenizer(), model,
                specials[0], specials[1], padId, config.modelMaxLength(DEFAULT_MAX_LENGTH), file.toString()));
    }

    /** From the FLUX.1 repositories' layout: {@code vocab.json} + {@code merges.txt}. */
    public static ClipTokenizer fromVocabAndMerges(Path vocabJson, Path mergesTxt) throws IOException {
        TokenizerConfig config = TokenizerConfig.read(folderOf(vocabJson));
        Map<String, Integer> vocab = readVocab(vocabJson);
        List<String[]> merges = readMerges(mergesTxt);
        String bos = config.token("bos_token", "<|startoftext|>");
        String eos = config.token("eos_token", "<|endoftext|>");
        String unk = config.token("unk_token", "<|endoftext|>");
        String pad = config.token("pad_token", "<|endoftext|>");
        List<AddedToken> added = new ArrayList<>();
        for (String[] named : new String[][] {{"bos_token", bos}, {"eos_token", eos}, {"unk_token", unk},
                {"pad_token", pad}}) {
            Integer id = vocab.get(named[1]);
            if (id == null) {
                throw new TokenizerFileException(vocabJson, "has no '" + named[1] + "', the " + named[0]);
            }
            if (added.stream().noneMatch(t -> t.content().equals(named[1]))) {
                added.add(new AddedToken(named[1], id, true, config.normalized(named[1]).orElse(false)));
            }
        }
        BytePairModel model;
        try {
            model = new BytePairModel(vocab, merges, "", "</w>", vocab.get(unk), false, false);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFileException(mergesTxt, e.getMessage() + " (" + vocabJson.getFileName() + ")");
        }
        Normalizer normalizer = Normalizer.sequence(List.of(Normalizer.nfc(),
                Normalizer.replace(Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS), " "),
                Normalizer.lowercase()));
        PreTokenizer preTokenizer = PreTokenizer.sequence(List.of(
                new RegexSplit(WORDS, RegexSplit.Behavior.REMOVED, true), new ByteLevel(false, true)));
        return new ClipTokenizer(new TokenizerPipeline(added, normalizer, preTokenizer, model,
                new int[] {vocab.get(bos)}, new int[] {vocab.get(eos)}, vocab.get(pad),
                config.modelMaxLength(DEFAULT_MAX_LENGTH), vocabJson + " + " + mergesTxt.getFileName()));
    }

    private static Path folderOf(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? Path.of(".") : parent;
    }

    private static Map<String, Integer> readVocab(Path file) throws IOException {
        JsonNode root;
        try (InputStream in = Files.newInputStream(file)) {
            root = JSON.readTree(in);
        } catch (NoSuchFileException e) {
            throw new TokenizerFileException(file, "no such file", e);
        } catch (JacksonException e) {
            throw new TokenizerFileException(file, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject() || root.isEmpty()) {
            throw new TokenizerFileException(file, "expected a non-empty JSON object of token -> id");
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (!e.getValue().isIntegralNumber() || !e.getValue().canConvertToInt() || e.getValue().intValue() < 0) {
                throw new TokenizerFileException(file, "token '" + e.getKey() + "': expected an id >= 0, found "
                        + e.getValue());
            }
            vocab.put(e.getKey(), e.getValue().intValue());
        }
        return vocab;
    }

    /** merges.txt: an optional {@code #version} line, then one "left right" pair per line, in rank order. */
    private static List<String[]> readMerges(Path file) throws IOException {
        List<String[]> merges = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = r.readLine()) != null) {
                number++;
                if ((number == 1 && line.startsWith("#version")) || line.isEmpty()) {
                    continue;
                }
                String[] pair = line.split(" ", -1);
                if (pair.length != 2 || pair[0].isEmpty() || pair[1].isEmpty()) {
                    throw new TokenizerFileException(file, "line " + number + " '" + line
                            + "': expected two tokens separated by one space");
                }
                merges.add(pair);
            }
        } catch (NoSuchFileException e) {
            throw new TokenizerFileException(file, "no such file", e);
        }
        return merges;
    }
}
