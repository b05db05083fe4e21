package dev.sparkdit.models.vae;

import dev.sparkdit.json.Json;
import dev.sparkdit.models.ConfigJson;
import dev.sparkdit.models.ModelParam;
import dev.sparkdit.models.SafetensorsCheckpoint;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VaeEncoderParamsTest {
    @Test
    void theEncoderKeysAndShapesOfTheGoldenAutoencoder() throws Exception {
        Path vae = Path.of(getClass().getResource("/golden/pipeline_text_tiny/model/vae/config.json").toURI())
                .getParent();
        VaeConfig config = VaeConfig.fromDiffusers(new ConfigJson("config.json",
                Json.asMap(Json.parse(Files.readString(vae.resolve("config.json"))), "config")));
        Map<String, String> expected = new TreeMap<>();
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(vae)) {
            for (String name : c.names()) {
                if (name.startsWith("encoder.")) {
                    expected.put(name, Arrays.toString(c.shape(name)));
                }
            }
        }
        Map<String, String> actual = new TreeMap<>();
        for (ModelParam p : VaeEncoderParams.params(config)) {
            actual.put(p.name(), Arrays.toString(p.shape()));
        }
        assertEquals(expected, actual);
    }
}
