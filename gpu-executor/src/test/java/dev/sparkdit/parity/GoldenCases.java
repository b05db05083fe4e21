package dev.sparkdit.parity;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The golden case folders copied into test resources from shared/golden, so a clone alone passes. */
final class GoldenCases {
    private GoldenCases() {
    }

    static Path dir(String name) {
        try {
            return Path.of(GoldenCases.class.getResource("/golden/" + name + "/config.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
