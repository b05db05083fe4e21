package dev.sparkdit.job.report;

import java.util.Locale;

/** Text made safe for HTML, and the number formats the page uses. */
final class Html {
    /** Longer strings from the data (errors) are cut here, with the count of what was left out. */
    static final int MAX_TEXT = 2000;

    private Html() {
    }

    /**
     * {@code s} as HTML text or attribute value: {@code & < > " '} as entities, control characters other than tab
     * and newline as U+FFFD (HTML has no way to show them), cut after {@link #MAX_TEXT} characters.
     */
    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_TEXT) + 16);
        int end = s.length() > MAX_TEXT ? s.offsetByCodePoints(0, Math.min(MAX_TEXT, s.codePointCount(0, s.length())))
                : s.length();
        for (int i = 0; i < end; ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                case '\t', '\n' -> sb.appendCodePoint(cp);
                default -> {
                    if (Character.isISOControl(cp) || cp == 0xFFFE || cp == 0xFFFF) {
                        sb.append('\uFFFD');
                    } else {
                        sb.appendCodePoint(cp);
                    }
                }
            }
        }
        if (end < s.length()) {
            sb.append("\u2026 (").append(s.length() - end).append(" more characters)");
        }
        return sb.toString();
    }

    /** Milliseconds, one decimal, thousands grouped: {@code 1,234.5}. */
    static String ms(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%,.1f", v) : "n/a";
    }

    /** A rate, one decimal, thousands grouped; "n/a" when undefined. */
    static String rate(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%,.1f", v) : "n/a";
    }

    /** Seconds from milliseconds, one decimal. */
    static String seconds(double ms) {
        return String.format(Locale.ROOT, "%,.1f", ms / 1000);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
