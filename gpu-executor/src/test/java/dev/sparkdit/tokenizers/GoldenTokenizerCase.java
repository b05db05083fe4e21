package dev.sparkdit.tokenizers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkdit.safetensors.HostTensor;
import dev.sparkdit.safetensors.SafetensorsFile;
import dev.sparkdit.tensor.DType;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The golden tokenizers_tiny case (copied into test resources): 62 prompts, the reference's padded ids
 * for CLIP [62, 77] and T5 [62, 48], and the untruncated lengths.
 */
final class GoldenTokenizerCase {
    final Path dir;
    final List<String> prompts = new ArrayList<>();
    final int[] clipUntruncated;
    final int[] t5Untruncated;
    final int clipMaxLength;
    final int t5MaxLength;
    final int[][] clipIds;
    final int[][] t5Ids;

    private GoldenTokenizerCase(Path dir) throws IOException {
        this.dir = dir;
        JsonNode config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        config.get("prompts").forEach(p -> prompts.add(p.asText()));
        clipUntruncated = ints(config.get("clip_untruncated_lengths"));
        t5Untruncated = ints(config.get("t5_untruncated_lengths"));
        clipMaxLength = config.get("clip_max_length").asInt();
        t5MaxLength = config.get("t5_max_length").asInt();
        try (SafetensorsFile io = SafetensorsFile.open(dir.resolve("io.safetensors"))) {
            clipIds = rows(io.tensor("clip_input_ids"));
            t5Ids = rows(io.tensor("t5_input_ids"));
        }
    }

    static GoldenTokenizerCase load() throws IOException {
        return new GoldenTokenizerCase(resource("tokenizers_tiny"));
    }

    /** A folder under the test resources' golden/. */
    static Path resource(String relative) {
        try {
            return Path.of(GoldenTokenizerCase.class.getResource("/golden/" + relative).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int[] ints(JsonNode list) {
        int[] r = new int[list.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = list.get(i).asInt();
        }
        return r;
    }

    private static int[][] rows(HostTensor t) {
        if (t.dtype() != DType.I64 || t.shape().length != 2) {
            throw new IllegalStateException("expected a 2-D int64 tensor, found " + t);
        }
        int n = (int) t.shape()[0];
        int width = (int) t.shape()[1];
        LongBuffer b = t.data().asLongBuffer();
        int[][] r = new int[n][width];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < width; j++) {
                r[i][j] = Math.toIntExact(b.get(i * width + j));
            }
        }
        return r;
    }
}
