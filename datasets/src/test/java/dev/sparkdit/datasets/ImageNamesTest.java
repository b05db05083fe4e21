package dev.sparkdit.datasets;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
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
    void theIssuesIdsGiveSafeDistinctNamesThatStayInTheirFolder() {
        String longId = "x".repeat(10_000);
        List<String> ids = List.of("../x", "/", "a/b", "..", "猫/🐱", "猫", "🐱", "猫/🐱/..", longId,
                longId.substring(1) + "y", longId.toUpperCase(Locale.ROOT), "Cat", "cat", "CAT", "cAt",
                "prompt-" + "a".repeat(60) + "1", "prompt-" + "a".repeat(60) + "2", "._tmp-x", "images", "~", "$HOME",
                "%2e%2e%2f", "..%2f", "a\\..\\b");
        Path folder = Path.of("/out/images");
        Set<String> names = new HashSet<>();
        Set<String> folded = new HashSet<>();
        for (String id : ids) {
            String name = ImageNames.fileName(id);
            assertSafe(id, name);
            assertTrue(names.add(name), () -> "two ids map to " + name);
            assertTrue(folded.add(name.toLowerCase(Locale.ROOT)), () -> "case-folded duplicate " + name);
            // Resolving the name cannot leave the folder, and the temporary name beside it fits in 255 bytes.
            assertEquals(folder, folder.resolve(name).normalize().getParent(), name);
            assertTrue(("._tmp-" + java.util.UUID.randomUUID() + "-" + name).length() < 255, name);
        }
        // Ids that differ only after the readable prefix's cut share the prefix and differ in the digest.
        String a = ImageNames.fileName("prompt-" + "a".repeat(60) + "1");
        String b = ImageNames.fileName("prompt-" + "a".repeat(60) + "2");
        assertEquals(a.substring(0, ImageNames.MAX_PREFIX), b.substring(0, ImageNames.MAX_PREFIX));
        assertTrue(!a.equals(b));
    }

    @Test
    void idsThatDifferOnlyInOneCharacterAnywhereGetDifferentNames() {
        Set<String> names = new HashSet<>();
        String base = "z".repeat(200);
        for (int pos : new int[] {0, 47, 48, 49, 199}) {
            for (char c : new char[] {'a', 'A', '/', '.', '\\', '\0', 'é', '猫'}) {
                String id = base.substring(0, pos) + c + base.substring(pos + 1);
                assertTrue(names.add(ImageNames.fileName(id)), () -> "collision at " + pos + " with " + c);
            }
        }
        assertEquals(40, names.size());
    }

    @Test
    void unpairedSurrogatesDoNotCollideWithTheCharactersJavaReplacesThemWith() {
        // getBytes(UTF_8) writes '?' for an unpaired surrogate: digesting those bytes made "\uD800" and "?" one name.
        List<String> ids = List.of("?", "\uFFFD", "\uD800", "\uDC00", "\uDBFF", "a\uD800", "a?", "\uD800\uD800",
                "\uDC00\uD800", "\uD83D\uDE00", "😀", "\uD83D", "\uDE00", "\uD83Dx", "x\uDE00");
        Map<String, String> byName = new HashMap<>();
        for (String id : ids) {
            String name = ImageNames.fileName(id);
            assertSafe(id, name);
            String before = byName.put(name, id);
            assertTrue(before == null || before.equals(id), () -> Quote.of(id) + " and " + Quote.of(before)
                    + " both map to " + name);
        }
        // A surrogate pair is one well-formed character: the same as its code point written directly.
        assertEquals(ImageNames.fileName("😀"), ImageNames.fileName("\uD83D\uDE00"));
        assertEquals(14, byName.size());
        // Well-formed ids keep the digest of their UTF-8 bytes (names of earlier runs do not change).
        assertEquals("a-ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb.png", ImageNames.fileName("a"));
    }

    @Test
    void randomCodeUnitsIncludingBrokenSurrogatesNeverCollide() {
        Random random = new Random(99);
        Set<String> ids = new HashSet<>();
        Set<String> names = new HashSet<>();
        char[] pool = {'a', 'A', '/', '.', '?', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uFFFD', '\0', '猫'};
        for (int i = 0; i < 20_000; i++) {
            char[] cs = new char[1 + random.nextInt(5)];
            for (int j = 0; j < cs.length; j++) {
                cs[j] = pool[random.nextInt(pool.length)];
            }
            String id = new String(cs);
            if (!ids.add(id)) {
                continue;
            }
            String name = ImageNames.fileName(id);
            assertSafe(id, name);
            assertTrue(names.add(name), () -> "collision for " + Quote.of(id));
        }
        assertTrue(ids.size() > 8_000, ids.size() + " distinct ids");
    }

    @Test
    void aNullIdIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ImageNames.fileName(null));
    }
}
