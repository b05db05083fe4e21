package dev.sparkdit.tokenizers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The steps every Hugging Face tokenizer runs, in the reference's order:
 * <ol>
 *   <li>cut the raw prompt at added tokens matched on raw text ({@code normalized: false});</li>
 *   <li>normalize each remaining stretch, drop it if it became empty, and cut it at added tokens matched
 *       on normalized text;</li>
 *   <li>pre-tokenize each stretch into words and let the model turn each word into ids;</li>
 *   <li>truncate the content to {@code maxLength} minus the special tokens, add the special tokens
 *       ({@code prefix} content {@code suffix}), pad on the right.</li>
 * </ol>
 * Immutable and thread-safe.
 */
final class TokenizerPipeline implements TextTokenizer {
    private final AddedTokenMatcher rawTokens;
    private final AddedTokenMatcher normalizedTokens;
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final TokenModel model;
    private final int[] prefix;
    private final int[] suffix;
    private final int padId;
    private final int modelMaxLength;
    private final int vocabSize;
    private final String source;

    TokenizerPipeline(List<AddedToken> added, Normalizer normalizer, PreTokenizer preTokenizer, TokenModel model,
                      int[] prefix, int[] suffix, int padId, int modelMaxLength, String source) {
        Map<String, Integer> raw = new HashMap<>();
        Map<String, Integer> normalized = new HashMap<>();
        int maxId = model.size() - 1;
        for (AddedToken t : added) {
            if (t.normalized()) {
                String n = normalizer.normalize(t.content());
                if (!n.isEmpty()) {
                    normalized.put(n, t.id());
                }
            } else {
                raw.put(t.content(), t.id());
            }
            maxId = Math.max(maxId, t.id());
        }
        this.rawTokens = new AddedTokenMatcher(raw);
        this.normalizedTokens = new AddedTokenMatcher(normalized);
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.model = model;
        this.prefix = prefix.clone();
        this.suffix = suffix.clone();
        this.padId = padId;
        this.modelMaxLength = modelMaxLength;
        this.vocabSize = maxId + 1;
        this.source = source;
    }

    @Override
    public Encoding encode(String prompt, int maxLength) {
        int specials = prefix.length + suffix.length;
        if (maxLength < specials) {
            throw new IllegalArgumentException(source + ": max length " + maxLength + " cannot hold the "
                    + specials + " special tokens this tokenizer adds");
        }
        Ids content = contentIds(prompt);
        int keep = Math.min(content.size(), maxLength - specials);
        int[] ids = new int[maxLength];
        int at = 0;
        for (int id : prefix) {
            ids[at++] = id;
        }
        for (int i = 0; i < keep; i++) {
            ids[at++] = content.get(i);
        }
        for (int id : suffix) {
            ids[at++] = id;
        }
        int length = at;
        while (at < maxLength) {
            ids[at++] = padId;
        }
        int untruncated = content.size() + specials;
        return new Encoding(ids, length, untruncated, untruncated - length);
    }

    @Override
    public int[] tokenize(String prompt) {
        Ids content = contentIds(prompt);
        int[] ids = new int[prefix.length + content.size() + suffix.length];
        System.arraycopy(prefix, 0, ids, 0, prefix.length);
        for (int i = 0; i < content.size(); i++) {
            ids[prefix.length + i] = content.get(i);
        }
        System.arraycopy(suffix, 0, ids, prefix.length + content.size(), suffix.length);
        return ids;
    }

    private Ids contentIds(String prompt) {
        checkWellFormed(prompt);
        Ids out = new Ids();
        List<String> words = new ArrayList<>();
        rawTokens.split(prompt, stretch -> {
            String normalized = normalizer.normalize(stretch);
            if (normalized.isEmpty()) {
                return;
            }
            normalizedTokens.split(normalized, text -> {
                words.clear();
                preTokenizer.split(text, words);
                for (String w : words) {
                    model.tokenize(w, out);
                }
            }, out::add);
        }, out::add);
        return out;
    }

    /** The reference takes UTF-8 text; a lone surrogate has no UTF-8 form, so it is refused, not guessed at. */
    private void checkWellFormed(String prompt) {
        for (int i = 0; i < prompt.length(); i++) {
            char c = prompt.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < prompt.length()
                    && Character.isLowSurrogate(prompt.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(source + ": prompt has an unpaired UTF-16 surrogate U+"
                        + Integer.toHexString(c).toUpperCase() + " at index " + i + "; it has no UTF-8 form");
            }
        }
    }

    @Override
    public int padId() {
        return padId;
    }

    @Override
    public int modelMaxLength() {
        return modelMaxLength;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public String source() {
        return source;
    }

    /** Id of {@code token} among the added tokens or in the model, or -1. */
    static int idOf(String token, List<AddedToken> added, TokenModel model) {
        for (AddedToken t : added) {
            if (t.content().equals(token)) {
                return t.id();
            }
        }
        return model.id(token);
    }

    @Override
    public String toString() {
        return "TokenizerPipeline[" + source + "]";
    }
}
