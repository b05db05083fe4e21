package dev.sparkdit.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/** Parsers for {@link Setting}s, and the check that a map names only known settings. */
public final class Settings {
    /** Every run option's key starts with this; the Spark job reads them as {@code spark.sparkdit.*}. */
    public static final String PREFIX = "sparkdit.";

    private Settings() {
    }

    /** {@code on}/{@code true} or {@code off}/{@code false}. */
    public static Function<String, Boolean> onOff() {
        return text -> switch (text.toLowerCase(Locale.ROOT)) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw new IllegalArgumentException("must be on or off");
        };
    }

    /** An integer in {@code [min, max]}. */
    public static Function<String, Integer> intIn(int min, int max) {
        return text -> {
            int v;
            try {
                v = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("must be an integer from " + min + " to " + max);
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException("must be from " + min + " to " + max);
            }
            return v;
        };
    }

    /** One of {@code choices}, as written. */
    public static Function<String, String> oneOf(List<String> choices) {
        return text -> {
            if (!choices.contains(text)) {
                throw new IllegalArgumentException("must be one of " + String.join(", ", choices));
            }
            return text;
        };
    }

    /**
     * Throws naming every {@code sparkdit.*} key of {@code conf} that none of {@code known} reads (a typo
     * would otherwise be ignored silently), with the known keys listed.
     */
    public static void requireKnown(Map<String, String> conf, List<? extends Setting<?>> known) {
        Set<String> keys = new TreeSet<>();
        for (Setting<?> s : known) {
            keys.add(s.key());
        }
        List<String> unknown = new ArrayList<>();
        for (String k : new TreeSet<>(conf.keySet())) {
            if (k.startsWith(PREFIX) && !keys.contains(k)) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown option" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + "; known: " + String.join(", ", keys));
        }
    }
}
