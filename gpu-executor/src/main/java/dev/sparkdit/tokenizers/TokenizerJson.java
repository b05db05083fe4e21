package dev.sparkdit.tokenizers;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A Hugging Face {@code tokenizer.json}, turned into this package's steps: the components it declares
 * are built when implemented, and refused by a {@link TokenizerFileException} naming the file, the place
 * in it and the value when not.
 *
 * <p>Implemented: normalizers {@code NFC}, {@code Lowercase}, {@code Replace}, {@code Precompiled},
 * {@code Sequence}; pre-tokenizers {@code Split} (Removed, Isolated), {@code ByteLevel}, {@code Metaspace}
 * (prepend always or never), {@code WhitespaceSplit}, {@code Sequence}; models {@code BPE} and
 * {@code Unigram}; post-processors {@code RobertaProcessing}, {@code BertProcessing} and
 * {@code TemplateProcessing} (single sequence). What FLUX.1's CLIP and T5 files declare, and little else.
 */
final class TokenizerJson {
    static final String FILE_NAME = "tokenizer.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final JsonNode root;

    private TokenizerJson(Path file, JsonNode root) {
        this.file = file;
        this.root = root;
    }

    static TokenizerJson read(Path file) throws IOException {
        JsonNode root;
        try (InputStream in = Files.newInputStream(file)) {
            root = JSON.readTree(in);
        } catch (NoSuchFileException e) {
            throw new TokenizerFileException(file, "no such file", e);
        } catch (JacksonException e) {
            throw new TokenizerFileException(file, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new TokenizerFileException(file, "expected a JSON object with a 'model', found "
                    + (root == null ? "nothing" : root.getNodeType()));
        }
        TokenizerJson t = new TokenizerJson(file, root);
        t.object(root.get("model"), "model");
        return t;
    }

    Path file() {
        return file;
    }

    String modelType() throws TokenizerFileException {
        return text(root.get("model"), "model", "type");
    }

    // ---- added tokens ----

    List<AddedToken> addedTokens() throws TokenizerFileException {
        List<AddedToken> r = new ArrayList<>();
        JsonNode list = root.get("added_tokens");
        if (list == null || list.isNull()) {
            return r;
        }
        if (!list.isArray()) {
            throw problem("added_tokens", "expected a list, found " + list.getNodeType());
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode t = list.get(i);
            String where = "added_tokens[" + i + "]";
            String content = text(t, where, "content");
            for (String flag : new String[] {"single_word", "lstrip", "rstrip"}) {
                if (t.path(flag).asBoolean(false)) {
                    throw problem(where, "token '" + content + "' sets " + flag
                            + "=true, which is not implemented (only false)");
                }
            }
            if (content.isEmpty()) {
                continue; // the reference ignores empty added tokens
            }
            r.add(new AddedToken(content, integer(t, where, "id"), t.path("special").asBoolean(false),
                    t.path("normalized").asBoolean(!t.path("special").asBoolean(false))));
        }
        return r;
    }

    // ---- normalizer ----

    Normalizer normalizer() throws TokenizerFileException {
        JsonNode n = root.get("normalizer");
        return n == null || n.isNull() ? Normalizer.IDENTITY : normalizer(n, "normalizer");
    }

    private Normalizer normalizer(JsonNode n, String where) throws TokenizerFileException {
        String type = text(n, where, "type");
        switch (type) {
            case "NFC":
                return Normalizer.nfc();
            case "Lowercase":
                return Normalizer.lowercase();
            case "Replace":
                return Normalizer.replace(pattern(n.get("pattern"), where + ".pattern"), text(n, where, "content"));
            case "Precompiled":
                return PrecompiledCharsMap.parse(precompiledBytes(n, where), file, where + ".precompiled_charsmap");
            case "Sequence": {
                List<Normalizer> steps = new ArrayList<>();
                JsonNode list = array(n.get("normalizers"), where + ".normalizers");
                for (int i = 0; i < list.size(); i++) {
                    steps.add(normalizer(list.get(i), where + ".normalizers[" + i + "]"));
                }
                return Normalizer.sequence(steps);
            }
            default:
                throw problem(where, "normalizer type '" + type + "' is not implemented (implemented: NFC,"
                        + " Lowercase, Replace, Precompiled, Sequence)");
        }
    }

    /** The declared normalizer's steps, a Sequence flattened, each with its place in the file. */
    Map<String, JsonNode> normalizerSteps() throws TokenizerFileException {
        return steps(root.get("normalizer"), "normalizer", "normalizers");
    }

    /** The declared pre-tokenizer's steps, a Sequence flattened, each with its place in the file. */
    Map<String, JsonNode> preTokenizerSteps() throws TokenizerFileException {
        return steps(root.get("pre_tokenizer"), "pre_tokenizer", "pretokenizers");
    }

    private Map<String, JsonNode> steps(JsonNode n, String where, String listKey) throws TokenizerFileException {
        Map<String, JsonNode> r = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return r;
        }
        if ("Sequence".equals(text(n, where, "type"))) {
            JsonNode list = array(n.get(listKey), where + "." + listKey);
            for (int i = 0; i < list.size(); i++) {
                r.putAll(steps(list.get(i), where + "." + listKey + "[" + i + "]", listKey));
            }
        } else {
            r.put(where, n);
        }
        return r;
    }

    byte[] precompiledBytes(JsonNode n, String where) throws TokenizerFileException {
        String b64 = text(n, where, "precompiled_charsmap");
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw problem(where + ".precompiled_charsmap", "not valid base64: " + e.getMessage());
        }
    }

    // ---- pre-tokenizer ----

    PreTokenizer preTokenizer() throws TokenizerFileException {
        JsonNode n = root.get("pre_tokenizer");
        return n == null || n.isNull() ? (text, words) -> words.add(text) : preTokenizer(n, "pre_tokenizer");
    }

    private PreTokenizer preTokenizer(JsonNode n, String where) throws TokenizerFileException {
        String type = text(n, where, "type");
        switch (type) {
            case "Split": {
                String behavior = text(n, where, "behavior");
                RegexSplit.Behavior b;
                if ("Removed".equals(behavior)) {
                    b = RegexSplit.Behavior.REMOVED;
                } else if ("Isolated".equals(behavior)) {
                    b = RegexSplit.Behavior.ISOLATED;
                } else {
                    throw problem(where + ".behavior", "Split behavior '" + behavior
                            + "' is not implemented (implemented: Removed, Isolated)");
                }
                return new RegexSplit(pattern(n.get("pattern"), where + ".pattern"), b,
                        n.path("invert").asBoolean(false));
            }
            case "ByteLevel":
                return new ByteLevel(n.path("add_prefix_space").asBoolean(true), n.path("use_regex").asBoolean(true));
            case "Metaspace":
                return metaspace(n, where);
            case "WhitespaceSplit":
                return PreTokenizer.whitespaceSplit();
            case "Sequence": {
                List<PreTokenizer> steps = new ArrayList<>();
                JsonNode list = array(n.get("pretokenizers"), where + ".pretokenizers");
                for (int i = 0; i < list.size(); i++) {
                    steps.add(preTokenizer(list.get(i), where + ".pretokenizers[" + i + "]"));
                }
                return PreTokenizer.sequence(steps);
            }
            default:
                throw problem(where, "pre_tokenizer type '" + type + "' is not implemented (implemented: Split,"
                        + " ByteLevel, Metaspace, WhitespaceSplit, Sequence)");
        }
    }

    Metaspace metaspace(JsonNode n, String where) throws TokenizerFileException {
        String replacement = text(n, where, "replacement");
        if (replacement.length() != 1) {
            throw problem(where + ".replacement", "'" + replacement + "' is not one BMP character");
        }
        String scheme = n.path("prepend_scheme").asText("always");
        if (n.has("add_prefix_space") && !n.get("add_prefix_space").asBoolean()) {
            // The reference reads the legacy flag this way, and refuses it beside another scheme.
            if (n.has("prepend_scheme") && !"never".equals(scheme)) {
                throw problem(where, "add_prefix_space=false does not match prepend_scheme '" + scheme + "'");
            }
            scheme = "never";
        }
        boolean prepend;
        if ("always".equals(scheme)) {
            prepend = true;
        } else if ("never".equals(scheme)) {
            prepend = false;
        } else {
            throw problem(where + ".prepend_scheme", "'" + scheme
                    + "' is not implemented (implemented: always, never)");
        }
        return new Metaspace(replacement.charAt(0), prepend, n.path("split").asBoolean(true));
    }

    private Pattern pattern(JsonNode p, String where) throws TokenizerFileException {
        object(p, where);
        if (p.has("String")) {
            return Pattern.compile(Pattern.quote(p.get("String").asText()));
        }
        if (!p.has("Regex")) {
            throw problem(where, "expected {\"Regex\": ...} or {\"String\": ...}, found " + p);
        }
        String regex = p.get("Regex").asText();
        try {
            // The reference's Oniguruma regexes are Unicode-aware: \s, \w and \d match beyond ASCII.
            return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw problem(where, "regex '" + regex + "' is not one Java's regex engine accepts: "
                    + e.getDescription());
        }
    }

    // ---- model ----

    BytePairModel bpe() throws TokenizerFileException {
        JsonNode m = root.get("model");
        requireType(m, "model", "BPE");
        if (m.hasNonNull("dropout") && m.get("dropout").asDouble() != 0.0) {
            throw problem("model.dropout", m.get("dropout") + " is not implemented (BPE dropout samples; only"
                    + " null or 0 gives the reference's fixed ids)");
        }
        if (m.path("byte_fallback").asBoolean(false)) {
            throw problem("model.byte_fallback", "true is not implemented for BPE (only false)");
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        JsonNode v = object(m.get("vocab"), "model.vocab");
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (!e.getValue().canConvertToInt()) {
                throw problem("model.vocab['" + e.getKey() + "']", "expected an integer id, found " + e.getValue());
            }
            vocab.put(e.getKey(), e.getValue().intValue());
        }
        List<String[]> merges = new ArrayList<>();
        JsonNode list = array(m.get("merges"), "model.merges");
        for (int i = 0; i < list.size(); i++) {
            JsonNode e = list.get(i);
            String[] pair;
            if (e.isArray() && e.size() == 2) {
                pair = new String[] {e.get(0).asText(), e.get(1).asText()};
            } else if (e.isTextual() && e.asText().split(" ").length == 2) {
                pair = e.asText().split(" ");
            } else {
                throw problem("model.merges[" + i + "]", "expected a pair [\"a\", \"b\"] or \"a b\", found " + e);
            }
            merges.add(pair);
        }
        int unk = -1;
        if (m.hasNonNull("unk_token")) {
            String u = m.get("unk_token").asText();
            Integer id = vocab.get(u);
            if (id == null) {
                throw problem("model.unk_token", "'" + u + "' is not in model.vocab");
            }
            unk = id;
        }
        try {
            return new BytePairModel(vocab, merges, m.path("continuing_subword_prefix").asText(""),
                    m.path("end_of_word_suffix").asText(""), unk, m.path("fuse_unk").asBoolean(false),
                    m.path("ignore_merges").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw problem("model.merges", e.getMessage());
        }
    }

    UnigramModel unigram() throws TokenizerFileException {
        JsonNode m = root.get("model");
        requireType(m, "model", "Unigram");
        JsonNode list = array(m.get("vocab"), "model.vocab");
        List<String> pieces = new ArrayList<>(list.size());
        double[] scores = new double[list.size()];
        for (int i = 0; i < list.size(); i++) {
            JsonNode e = list.get(i);
            if (!e.isArray() || e.size() != 2 || !e.get(0).isTextual() || !e.get(1).isNumber()) {
                throw problem("model.vocab[" + i + "]", "expected [\"piece\", score], found " + e);
            }
            pieces.add(e.get(0).asText());
            scores[i] = e.get(1).doubleValue();
        }
        int unk = m.hasNonNull("unk_id") ? integer(m, "model", "unk_id") : -1;
        try {
            return new UnigramModel(pieces, scores, unk, m.path("byte_fallback").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw problem("model", e.getMessage());
        }
    }

    // ---- post-processor ----

    /** The special ids put before and after the content: {prefix, suffix}. */
    int[][] specialIds() throws TokenizerFileException {
        JsonNode p = root.get("post_processor");
        if (p == null || p.isNull()) {
            return new int[][] {{}, {}};
        }
        String type = text(p, "post_processor", "type");
        switch (type) {
            case "RobertaProcessing":
            case "BertProcessing":
                return new int[][] {{tokenPairId(p, "cls")}, {tokenPairId(p, "sep")}};
            case "TemplateProcessing":
                return template(p);
            default:
                throw problem("post_processor", "type '" + type + "' is not implemented (implemented:"
                        + " RobertaProcessing, BertProcessing, TemplateProcessing)");
        }
    }

    private int tokenPairId(JsonNode p, String key) throws TokenizerFileException {
        JsonNode pair = p.get(key);
        if (pair == null || !pair.isArray() || pair.size() != 2 || !pair.get(1).canConvertToInt()) {
            throw problem("post_processor." + key, "expected [\"token\", id], found " + pair);
        }
        return pair.get(1).intValue();
    }

    private int[][] template(JsonNode p) throws TokenizerFileException {
        JsonNode single = array(p.get("single"), "post_processor.single");
        JsonNode specials = p.path("special_tokens");
        List<Integer> before = new ArrayList<>();
        List<Integer> after = new ArrayList<>();
        boolean seenSequence = false;
        for (int i = 0; i < single.size(); i++) {
            JsonNode piece = single.get(i);
            String where = "post_processor.single[" + i + "]";
            if (piece.has("Sequence")) {
                if (seenSequence) {
                    throw problem(where, "a second sequence in a single-sequence template");
                }
                seenSequence = true;
            } else if (piece.has("SpecialToken")) {
                String name = text(piece.get("SpecialToken"), where + ".SpecialToken", "id");
                JsonNode ids = specials.path(name).path("ids");
                if (!ids.isArray() || ids.isEmpty()) {
                    throw problem("post_processor.special_tokens", "no ids for '" + name + "', which " + where
                            + " uses");
                }
                for (JsonNode id : ids) {
                    (seenSequence ? after : before).add(id.intValue());
                }
            } else {
                throw problem(where, "expected {\"Sequence\": ...} or {\"SpecialToken\": ...}, found " + piece);
            }
        }
        if (!seenSequence) {
            throw problem("post_processor.single", "the template has no sequence ($A)");
        }
        return new int[][] {before.stream().mapToInt(Integer::intValue).toArray(),
                after.stream().mapToInt(Integer::intValue).toArray()};
    }

    // ---- helpers ----

    private void requireType(JsonNode n, String where, String expected) throws TokenizerFileException {
        String type = text(n, where, "type");
        if (!expected.equals(type)) {
            throw problem(where + ".type", "'" + type + "' where a " + expected + " model is expected");
        }
    }

    TokenizerFileException problem(String where, String what) {
        return new TokenizerFileException(file, where + ": " + what);
    }

    private JsonNode object(JsonNode n, String where) throws TokenizerFileException {
        if (n == null || !n.isObject()) {
            throw problem(where, "expected an object, found " + (n == null ? "nothing" : n.getNodeType()));
        }
        return n;
    }

    private JsonNode array(JsonNode n, String where) throws TokenizerFileException {
        if (n == null || !n.isArray()) {
            throw problem(where, "expected a list, found " + (n == null ? "nothing" : n.getNodeType()));
        }
        return n;
    }

    String text(JsonNode n, String where, String key) throws TokenizerFileException {
        object(n, where);
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual()) {
            throw problem(where + "." + key, "expected a string, found " + (v == null ? "nothing" : v.getNodeType()));
        }
        return v.asText();
    }

    private int integer(JsonNode n, String where, String key) throws TokenizerFileException {
        JsonNode v = n.get(key);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw problem(where + "." + key, "expected an integer, found " + (v == null ? "nothing" : v));
        }
        return v.intValue();
    }
}
