package dev.sparkdit.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonParseTest {

    @Test
    void parsesEveryValueKindIntoTheDocumentedTypes() {
        Object v = Json.parse(" {\"b\": [1, -2, 3.5, 1e2, true, false, null], \"a\": \"x\", \"n\": {}} \n");
        Map<String, Object> m = Json.asMap(v, "root");
        assertInstanceOf(LinkedHashMap.class, m);
        assertEquals(List.of("b", "a", "n"), new ArrayList<>(m.keySet()), "key order is kept");
        List<Object> b = Json.asList(m.get("b"), "b");
        assertInstanceOf(ArrayList.class, b);
        assertEquals(1L, b.get(0));
        assertEquals(-2L, b.get(1));
        assertEquals(3.5, b.get(2));
        assertEquals(100.0, b.get(3), "an exponent makes it a Double even when integral");
        assertEquals(Boolean.TRUE, b.get(4));
        assertEquals(Boolean.FALSE, b.get(5));
        assertNull(b.get(6));
        assertEquals("x", m.get("a"));
        assertEquals(Map.of(), m.get("n"));
    }

    @Test
    void integersBeyondLongBecomeDoubles() {
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
        assertEquals(9.223372036854775808E18, Json.parse("9223372036854775808"));
    }

    @Test
    void decodesEscapesAndSurrogatePairs() {
        assertEquals("\"\\/\b\f\n\r\t\u00e9\uD83D\uDE00", Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00E9\\ud83d\\ude00\""));
        assertEquals("caf\u00e9 \uD83D\uDE00", Json.parse("\"caf\u00e9 \uD83D\uDE00\""), "raw non-ASCII passes through");
    }

    @Test
    void acceptsNestingUpTo512AndRejectsDeeper() {
        assertInstanceOf(List.class, Json.parse("[".repeat(512) + "]".repeat(512)));
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("[".repeat(513) + "]".repeat(513)));
        assertTrue(e.getMessage().contains("deeper than 512"), e.getMessage());
        assertEquals(512, e.offset());
        // Far deeper input must fail the same way, not with a StackOverflowError.
        assertThrows(JsonException.class, () -> Json.parse("{\"a\":".repeat(100_000)));
    }

    @Test
    void errorsGiveTheOffsetAndWhatWasExpected() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("{\"a\": 1,}"));
        assertEquals(8, e.offset());
        assertEquals("JSON error at offset 8: expected '\"' starting an object key, found '}'", e.getMessage());

        e = assertThrows(JsonException.class, () -> Json.parse("[1 2]"));
        assertEquals(3, e.offset());
        assertTrue(e.getMessage().contains("expected ',' or ']' in array, found '2'"), e.getMessage());

        e = assertThrows(JsonException.class, () -> Json.parse(""));
        assertTrue(e.getMessage().contains("found end of input"), e.getMessage());
    }

    @Test
    void rejectsTrailingGarbage() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("{} x"));
        assertEquals(3, e.offset());
        assertTrue(e.getMessage().contains("expected end of input"), e.getMessage());
        assertThrows(JsonException.class, () -> Json.parse("1 2"));
        assertThrows(JsonException.class, () -> Json.parse("[]]"));
    }

    @Test
    void rejectsDuplicateKeysNamingTheKey() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("{\"w\": 1, \"w\": 2}"));
        assertEquals(9, e.offset());
        assertTrue(e.getMessage().contains("duplicate key \"w\""), e.getMessage());
    }

    @Test
    void rejectsBadEscapes() {
        assertTrue(assertThrows(JsonException.class, () -> Json.parse("\"\\x\"")).getMessage().contains("expected an escape"));
        assertTrue(assertThrows(JsonException.class, () -> Json.parse("\"\\u12g4\"")).getMessage().contains("4 hex digits"));
        assertThrows(JsonException.class, () -> Json.parse("\"\\u12\""));
        assertThrows(JsonException.class, () -> Json.parse("\"\\"));
        assertTrue(assertThrows(JsonException.class, () -> Json.parse("\"\\ud83d\"")).getMessage().contains("lone high surrogate"));
        assertTrue(assertThrows(JsonException.class, () -> Json.parse("\"\\ude00\"")).getMessage().contains("lone low surrogate"));
        assertThrows(JsonException.class, () -> Json.parse("\"\\ud83d\\u0041\""));
    }

    @Test
    void rejectsRawControlCharactersInStrings() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("\"a\nb\""));
        assertEquals(2, e.offset());
        assertTrue(e.getMessage().contains("control characters must be escaped), found U+000A"), e.getMessage());
        assertThrows(JsonException.class, () -> Json.parse("\"\u0000\""));
        assertThrows(JsonException.class, () -> Json.parse("\"unterminated"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"01", "-", "+1", "1.", ".5", "1e", "1e+", "0x10", "NaN", "Infinity", "-Infinity",
            "1e999", "tru", "nul", "True", "'a'", "[1,]", "{\"a\"}", "{\"a\" 1}", "{1: 2}", "[", "{", "/* c */ 1"})
    void rejectsMalformedLiterals(String text) {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(text));
        assertTrue(e.offset() >= 0 && e.offset() <= text.length(), "offset " + e.offset() + " within the text");
    }

    @Test
    void typedHelpersNameWhatAndTheActualType() {
        JsonException e = assertThrows(JsonException.class, () -> Json.asLong(Json.parse("3.0"), "config.steps"));
        assertEquals("config.steps: expected an integer, got number 3.0", e.getMessage());
        assertEquals(-1, e.offset());
        e = assertThrows(JsonException.class, () -> Json.asMap(Json.parse("[1]"), "header"));
        assertEquals("header: expected an object, got array", e.getMessage());
        e = assertThrows(JsonException.class, () -> Json.asString(null, "dtype"));
        assertEquals("dtype: expected a string, got null", e.getMessage());
        e = assertThrows(JsonException.class, () -> Json.asBoolean("yes", "flag"));
        assertEquals("flag: expected a boolean, got string \"yes\"", e.getMessage());
        assertEquals(2.0, Json.asDouble(2L, "x"));
        assertEquals(7L, Json.asLong(7L, "x"));
        assertThrows(JsonException.class, () -> Json.asList(Map.of(), "shape"));
    }
}
