package dev.sparkdit.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonWriteTest {

    @Test
    void writesCompactJsonInIterationOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", 1L);
        m.put("a", Arrays.asList(true, null, "s", 2.5, -3));
        m.put("e", Map.of());
        assertEquals("{\"z\":1,\"a\":[true,null,\"s\",2.5,-3],\"e\":{}}", Json.write(m));
    }

    @Test
    void escapesStrings() {
        assertEquals("\"q\\\"b\\\\n\\nt\\tc\\u0001\\u001f/\u00e9\uD83D\uDE00\"",
                Json.write("q\"b\\n\nt\tc\u0001\u001f/\u00e9\uD83D\uDE00"));
        assertEquals("\"\\b\\f\\r\"", Json.write("\b\f\r"));
    }

    @Test
    void roundTripsDocuments() {
        String text = "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],"
                + "\"data_offsets\":[0,24]},\"s\":\"a\\\"b\\u0000\",\"x\":[-0.5,1.0E-300,123456789012345678,[],{}]}";
        Object parsed = Json.parse(text);
        assertEquals(text, Json.write(parsed));
        assertEquals(parsed, Json.parse(Json.write(parsed)));
    }

    @Test
    void doublesRoundTripBitForBit() {
        Random random = new Random(42);
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (Double.isFinite(d)) {
                values.add(d);
            }
        }
        values.addAll(List.of(0.1, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, 1e300, 3.0));
        Object back = Json.parse(Json.write(values));
        assertEquals(values, back, "Double.equals compares bits, so -0.0 and 0.0 are told apart");
    }

    @Test
    void floatsReadBackAsTheSameFloat() {
        Object back = Json.parse(Json.write(List.of(0.1f, 1e-45f, 3.4028235e38f)));
        List<Object> list = Json.asList(back, "list");
        assertEquals(0.1f, (float) Json.asDouble(list.get(0), "0"));
        assertEquals(1e-45f, (float) Json.asDouble(list.get(1), "1"));
        assertEquals(3.4028235e38f, (float) Json.asDouble(list.get(2), "2"));
    }

    @Test
    void rejectsNanAndInfinityNamingThePath() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", List.of(1.0, Double.NaN));
        JsonException e = assertThrows(JsonException.class, () -> Json.write(m));
        assertEquals("cannot write $.loss[1]: NaN has no JSON representation", e.getMessage());
        assertThrows(JsonException.class, () -> Json.write(Double.POSITIVE_INFINITY));
        assertThrows(JsonException.class, () -> Json.write(Float.NEGATIVE_INFINITY));
    }

    @Test
    void rejectsValuesJsonCannotHold() {
        assertTrue(assertThrows(JsonException.class, () -> Json.write(new Object())).getMessage().contains("not a JSON type"));
        assertTrue(assertThrows(JsonException.class, () -> Json.write(Map.of(1, 2))).getMessage().contains("not a String"));
        assertTrue(assertThrows(JsonException.class, () -> Json.write("a\uD800b")).getMessage().contains("unpaired surrogate"));
        Map<String, Object> cycle = new LinkedHashMap<>();
        cycle.put("self", cycle);
        assertTrue(assertThrows(JsonException.class, () -> Json.write(cycle)).getMessage().contains("deeper than 512"));
    }
}
