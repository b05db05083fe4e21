package dev.sparkdit.json;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link Json#writeIndented} writes what Python's json.dumps(indent=2, sort_keys=True) writes. */
class JsonIndentedTest {
    @Test
    void floatsAsPythonsRepr() {
        // Expected strings printed by Python 3: json.dumps([...]).
        double[] values = {1e-5, 1e16, 1e15, 0.0001, 123456789.0, 1.5e-7, -2.5, 0.3611, 1.15, 3.0, 0.0, -0.0, 0.02,
            1e-6, 100.0, 1.7976931348623157e308};
        String[] python = {"1e-05", "1e+16", "1000000000000000.0", "0.0001", "123456789.0", "1.5e-07", "-2.5", "0.3611",
            "1.15", "3.0", "0.0", "-0.0", "0.02", "1e-06", "100.0", "1.7976931348623157e+308"};
        for (int i = 0; i < values.length; i++) {
            assertEquals(python[i], Json.pythonFloat(values[i]), "repr of " + values[i]);
        }
    }

    @Test
    void layoutAsPythonWritesIt() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("zeta", List.of(1L, 2L));
        m.put("_class_name", "X");
        m.put("alpha", Arrays.asList(null, true));
        m.put("empty", List.of());
        m.put("nested", Map.of("k", "caf\u00e9"));
        m.put("none", Map.of());
        assertEquals("""
                {
                  "_class_name": "X",
                  "alpha": [
                    null,
                    true
                  ],
                  "empty": [],
                  "nested": {
                    "k": "caf\\u00e9"
                  },
                  "none": {},
                  "zeta": [
                    1,
                    2
                  ]
                }
                """, Json.writeIndented(m));
    }

    @Test
    void theBundledConfigsComeBackByteForByte() throws Exception {
        for (String f : new String[] {"model_index.json", "transformer/config.json", "vae/config.json",
                "text_encoder/config.json", "text_encoder_2/config.json", "scheduler/scheduler_config.json"}) {
            String text;
            try (InputStream in = getClass().getResourceAsStream("/dev/sparkdit/pipeline/tiny/" + f)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertEquals(text, Json.writeIndented(Json.parse(text)), f);
        }
    }
}
