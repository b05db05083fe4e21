package dev.sparkdit.datasets;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageNamesTest {

    /** Letters or digits first, then the conservative set, then the 64-hex digest. */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?-[0-9a-f]{64}\\.png");

    private static final List<String> HOSTILE = List.of(
            "../x", "..", ".", "/", "a/b", "a\\b", "a_b", "a.b", "a b", "A/B", "a/B", "../../etc/passwd",
            "C:\\Windows\\win.ini", "\0", "a\0b", "a\nb", "\u202eevil", "日本語のプロンプト", "😀", "😀😀", "-rf", "_",
            "--", "CON", "con", "NUL", "nul", "sample-0001", "Sample-0001", "SAMPLE-0001", "x".repeat(10_000),
            "x".repeat(9_999) + "y", "x".repeat(10_000) + "/", "", " ", "  ", "é", "e\u0301");

    private static void assertSafe(String id, String name) {
        assertTrue(SAFE.matcher(name).matches(), () -> "unsafe name " + name + " for id " + Quote.of(id));
        assertTrue(name.length() <= 120, () -> name.length() + " chars: " + name);
        assertFalse(name.contains(".."), name);
    }

    @Test
    void hostileIdsGiveSafeDistinctNames() {
        Map<String, String> byName = new HashMap<>();
        Set<String> folded = new HashSet<>();
        for (String id : HOSTILE) {
            String name = ImageNames.fileName(id);
            assertSafe(id, name);
            String before = byName.put(name, id);
            assertTrue(before == null, () -> Quote.of(id) + " and " + Quote.of(before) + " both map to " + name);
            // Distinct on a case-insensitive file system too.
            assertTrue(folded.add(name.toLowerCase(Locale.ROOT)), name);
        }
    }

    @Test
    void readablePrefixKeepsTheIdWherePossible() {
        assertTrue(ImageNames.fileName("sample-0001").startsWith("sample-0001-"));
        assertTrue(ImageNames.fileName("../x").startsWith("x-"));
        assertTrue(ImageNames.fileName("a/b").startsWith("a_b-"));
        assertTrue(ImageNames.fileName("..").startsWith("id-"));
        assertTrue(ImageNames.fileName("😀").startsWith("id-"));
        assertEquals(ImageNames.MAX_PREFIX, ImageNames.readablePrefix("x".repeat(10_000)).length());
    }

    @Test
    void theDigestIsOfTheExactUtf8Id() {
        // SHA-256("a") is a well-known test vector.
        assertEquals("a-ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb.png", ImageNames.fileName("a"));
        assertEquals(ImageNames.fileName("../x"), ImageNames.fileName("../x"));
    }

    @Test
    void randomIdsNeverCollide() {
        Random random = new Random(1234);
        Set<String> ids = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            String id = randomId(random);
            if (!ids.add(id)) {
                continue;
            }
            String name = ImageNames.fileName(id);
            assertSafe(id, name);
            assertTrue(names.add(name), () -> "collision for " + Quote.of(id));
        }
    }

    /** Short ids over a small alphabet of troublesome characters, so near-identical ids are common. */
    private static String randomId(Random random) {
        String[] parts = {"a", "A", "/", "\\", ".", "..", "_", "-", " ", "\0", "é", "😀", "\n", "Z", "9"};
        int length = 1 + random.nextInt(6);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append(parts[random.nextInt(parts.length)]);
        }
        return sb.toString();
    }

    @Test
    void aNullIdIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ImageNames.fileName(null));
    }
}
