package dev.sparkdit.tokenizers;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a tokenizer folder's {@code tokenizer_config.json} and {@code special_tokens_map.json} say about
 * special tokens and lengths. Both files are optional; a key missing from both gives the caller's default.
 * tokenizer_config.json wins where both name a token.
 */
final class TokenizerConfig {
    static final String CONFIG = "tokenizer_config.json";
    static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path folder;
    private final JsonNode config;
    private final JsonNode specialTokens;

    private TokenizerConfig(Path folder, JsonNode config, JsonNode specialTokens) {
        this.folder = folder;
        this.config = config;
        this.specialTokens = specialTokens;
    }

    static TokenizerConfig read(Path folder) throws IOException {
        return new TokenizerConfig(folder, readIfPresent(folder.resolve(CONFIG)),
                readIfPresent(folder.resolve(SPECIAL_TOKENS_MAP)));
    }

    private static JsonNode readIfPresent(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(file)) {
            JsonNode n = JSON.readTree(in);
            if (n == null || !n.isObject()) {
                throw new TokenizerFileException(file, "expected a JSON object, found "
                        + (n == null ? "nothing" : n.getNodeType()));
            }
            return n;
        } catch (JacksonException e) {
            throw new TokenizerFileException(file, "not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The token named by {@code key} ({@code "eos_token"}, ...), a plain string or an object with a
     * {@code content}, or {@code fallback}.
     */
    String token(String key, String fallback) throws TokenizerFileException {
        for (JsonNode n : new JsonNode[] {config, specialTokens}) {
            if (n == null || !n.has(key) || n.get(key).isNull()) {
                continue;
            }
            JsonNode v = n.get(key);
            if (v.isTextual()) {
                return v.asText();
            }
            if (v.isObject() && v.path("content").isTextual()) {
                return v.get("content").asText();
            }
            throw new TokenizerFileException(folder.resolve(n == config ? CONFIG : SPECIAL_TOKENS_MAP),
                    key + ": expected a string or {\"content\": ...}, found " + v);
        }
        return fallback;
    }

    /**
     * Whether {@code content} is matched on normalized text, from {@code added_tokens_decoder} or the
     * special-token entry's own {@code normalized} flag; empty when neither says.
     */
    Optional<Boolean> normalized(String content) {
        if (config != null && config.path("added_tokens_decoder").isObject()) {
            for (JsonNode t : config.get("added_tokens_decoder")) {
                if (content.equals(t.path("content").asText(null)) && t.has("normalized")) {
                    return Optional.of(t.get("normalized").asBoolean());
                }
            }
        }
        for (JsonNode n : new JsonNode[] {config, specialTokens}) {
            if (n == null) {
                continue;
            }
            for (JsonNode v : n) {
                if (v.isObject() && content.equals(v.path("content").asText(null)) && v.has("normalized")) {
                    return Optional.of(v.get("normalized").asBoolean());
                }
            }
        }
        return Optional.empty();
    }

    /** {@code model_max_length}, or {@code fallback} when absent or the reference's "no limit" sentinel. */
    int modelMaxLength(int fallback) throws TokenizerFileException {
        if (config == null || !config.has("model_max_length")) {
            return fallback;
        }
        JsonNode v = config.get("model_max_length");
        if (!v.isNumber()) {
            throw new TokenizerFileException(folder.resolve(CONFIG), "model_max_length: expected a number, found " + v);
        }
        // transformers writes 1e30 (VERY_LARGE_INTEGER) for "no limit".
        double d = v.asDouble();
        return d >= 1 && d <= Integer.MAX_VALUE ? (int) d : fallback;
    }

    /** {@code extra_ids} (T5's sentinel count), or {@code fallback}. */
    int extraIds(int fallback) throws TokenizerFileException {
        if (config == null || !config.has("extra_ids")) {
            return fallback;
        }
        JsonNode v = config.get("extra_ids");
        if (!v.canConvertToInt() || v.intValue() < 0) {
            throw new TokenizerFileException(folder.resolve(CONFIG), "extra_ids: expected a count >= 0, found " + v);
        }
        return v.intValue();
    }
}
