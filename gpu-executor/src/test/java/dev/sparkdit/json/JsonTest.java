package dev.sparkdit.json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the Jackson-backed {@link Json} promises its callers (safetensors headers, configs, reports). */
class JsonTest {
    @Test
    void parsesEveryValueKindIntoTheDocumentedTypes() {
        Map<String, Object> m = Json.asMap(Json.parse("{\"b\": [1, -2, 3.5, 1e2, true, false, null], \"a\": \"x\", \"n\": {}}"),
                "doc");
        assertInstanceOf(LinkedHashMap.class, m);
        assertEquals(List.of("b", "a", "n"), new ArrayList<>(m.keySet()), "key order is kept");
        List<Object> b = Json.asList(m.get("b"), "b");
        assertEquals(1L, b.get(0));
        assertEquals(-2L, b.get(1));
        assertEquals(3.5, b.get(2));
        assertEquals(100.0, b.get(3), "an exponent makes it a Double even when integral");
        assertEquals(Boolean.TRUE, b.get(4));
        assertNull(b.get(6));
        assertEquals(Map.of(), m.get("n"));
        assertEquals(9.223372036854775808E18, Json.parse("9223372036854775808"), "beyond a long: a Double");
    }

    @Test
    void rejectsDuplicatesTrailingTextAndDeepNestingWithAnOffset() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("{\"w\": 1, \"w\": 2}"));
        assertTrue(e.getMessage().contains("'w'") || e.getMessage().contains("\"w\""), e.getMessage());
        assertTrue(e.offset() > 0, "offset " + e.offset());
        assertThrows(JsonException.class, () -> Json.parse("{} x"));
        assertThrows(JsonException.class, () -> Json.parse("[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1)));
        assertInstanceOf(List.class, Json.parse("[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"01", "-", "+1", "1.", ".5", "1e", "NaN", "Infinity", "tru", "True", "'a'", "[1,]",
            "{\"a\"}", "{1: 2}", "[", "\"a\nb\"", "/* c */ 1"})
    void rejectsMalformedText(String text) {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(text));
        assertTrue(e.getMessage().startsWith("JSON error at offset"), e.getMessage());
    }

    @Test
    void writesCompactJsonThatRoundTripsDoublesBitForBit() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", 1L);
        m.put("a", Arrays.asList(true, null, "s\"\n", 2.5, -3L));
        m.put("e", Map.of());
        assertEquals("{\"z\":1,\"a\":[true,null,\"s\\\"\\n\",2.5,-3],\"e\":{}}", Json.write(m));
        List<Object> values = List.of(0.1, -0.0, 1e-300, Double.MIN_VALUE, Double.MAX_VALUE, 1.0 / 3);
        assertEquals(values, Json.parse(Json.write(values)), "Double.equals compares bits");
    }

    @Test
    void refusesNonFiniteNumbersNamingThePath() {
        Map<String, Object> m = Map.of("loss", List.of(1.0, Double.NaN));
        JsonException e = assertThrows(JsonException.class, () -> Json.write(m));
        assertEquals("cannot write $.loss[1]: NaN has no JSON representation", e.getMessage());
        assertThrows(JsonException.class, () -> Json.write(Float.NEGATIVE_INFINITY));
    }

    @Test
    void typedHelpersNameWhatAndTheActualType() {
        JsonException e = assertThrows(JsonException.class, () -> Json.asLong(Json.parse("3.0"), "config.steps"));
        assertEquals("config.steps: expected an integer, got number 3.0", e.getMessage());
        e = assertThrows(JsonException.class, () -> Json.asMap(Json.parse("[1]"), "header"));
        assertEquals("header: expected an object, got array", e.getMessage());
        e = assertThrows(JsonException.class, () -> Json.asBoolean("yes", "flag"));
        assertEquals("flag: expected a boolean, got string \"yes\"", e.getMessage());
        assertEquals(2.0, Json.asDouble(2L, "x"));
    }
}
