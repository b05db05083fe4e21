package dev.sparkdit.options;

import dev.sparkdit.config.Setting;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** docs/options.md lists every run option with its real default, and nothing else. */
class OptionsDocTest {
    @Test
    void theOptionsPageListsEveryKeyWithItsDefault() throws Exception {
        String page = Files.readString(Path.of("..", "docs", "options.md"));
        Map<String, String> documented = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^\\| `(sparkdit\\.[^`]+)` \\| ([^|]+) \\|").matcher(page);
        while (m.find()) {
            documented.put(m.group(1), m.group(2).trim());
        }
        Map<String, String> actual = new LinkedHashMap<>();
        for (Setting<?> s : RunOptions.SETTINGS) {
            actual.put(s.key(), s.defaultValue() == null ? "(unset)" : "`" + format(s) + "`");
        }
        assertEquals(actual, documented);
    }

    @SuppressWarnings("unchecked")
    private static <T> String format(Setting<T> s) {
        return s.format(s.defaultValue());
    }
}
