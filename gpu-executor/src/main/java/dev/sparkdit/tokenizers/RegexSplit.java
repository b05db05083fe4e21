package dev.sparkdit.tokenizers;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code {"type": "Split"}} with behavior {@code Removed} or {@code Isolated}: the text is cut into the
 * pattern's matches and the stretches between them; {@code Removed} drops the matches ({@code invert}:
 * drops the stretches instead, keeping the matches: CLIP's word regex), {@code Isolated} keeps both.
 */
final class RegexSplit implements PreTokenizer {
    enum Behavior { REMOVED, ISOLATED }

    private final Pattern pattern;
    private final Behavior behavior;
    private final boolean invert;

    RegexSplit(Pattern pattern, Behavior behavior, boolean invert) {
        this.pattern = pattern;
        this.behavior = behavior;
        this.invert = invert;
    }

    @Override
    public void split(String text, List<String> words) {
        boolean keepMatches = behavior == Behavior.ISOLATED || invert;
        boolean keepGaps = behavior == Behavior.ISOLATED || !invert;
        Matcher m = pattern.matcher(text);
        int from = 0;
        while (m.find()) {
            if (m.end() == m.start()) {
                // An empty match marks no text; the reference skips it too.
                continue;
            }
            if (keepGaps && m.start() > from) {
                words.add(text.substring(from, m.start()));
            }
            if (keepMatches) {
                words.add(text.substring(m.start(), m.end()));
            }
            from = m.end();
        }
        if (keepGaps && from < text.length()) {
            words.add(text.substring(from));
        }
    }
}
