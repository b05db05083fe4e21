package dev.sparkdit.datasets;

/**
 * A user's string made safe to show inside a one-line message: quoted, control characters escaped,
 * long values cut (a 10,000-character id must not flood a log line).
 */
final class Quote {

    private static final int MAX_SHOWN = 80;

    private Quote() {
    }

    static String of(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("'");
        int shown = 0;
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            if (shown == MAX_SHOWN) {
                sb.append("...' (").append(value.length()).append(" chars)");
                return sb.toString();
            }
            if (Character.isISOControl(cp) || cp == '\'' || cp == '\\') {
                sb.append(cp == '\'' || cp == '\\' ? "\\" + (char) cp : String.format("\\u%04x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
            shown++;
            i += Character.charCount(cp);
        }
        return sb.append('\'').toString();
    }
}
