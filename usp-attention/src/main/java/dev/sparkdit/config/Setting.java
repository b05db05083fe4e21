package dev.sparkdit.config;

import java.util.Map;
import java.util.function.Function;

/**
 * One run option as it appears in a configuration map ({@code sparkdit.<name>=<value>}: the CLI's
 * {@code --conf}, the Spark job's {@code spark.sparkdit.*}): its key, its default, how its text becomes a
 * value (throwing {@link IllegalArgumentException} with the reason), and one line for docs/options.md.
 */
public record Setting<T>(String key, T defaultValue, Function<String, T> parser, String doc) {
    public Setting {
        if (!key.startsWith(Settings.PREFIX)) {
            throw new IllegalArgumentException("setting key '" + key + "' must start with " + Settings.PREFIX);
        }
    }

    /** The value under {@link #key} in {@code conf}, or the default when absent; errors name the key and value. */
    public T read(Map<String, String> conf) {
        String text = conf.get(key);
        if (text == null) {
            return defaultValue;
        }
        try {
            return parser.apply(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + "=" + text + ": " + e.getMessage(), e);
        }
    }

    /** The text form of a value, as {@link #read} parses it back. */
    public String format(T value) {
        return value instanceof Boolean b ? (b ? "on" : "off") : String.valueOf(value);
    }
}
