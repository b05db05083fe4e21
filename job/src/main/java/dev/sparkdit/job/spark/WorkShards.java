package dev.sparkdit.job.spark;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sparkdit.datasets.RenderRequest;
import dev.sparkdit.job.group.PromptWork;
import dev.sparkdit.json.Json;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A group's prompts as the driver wrote them (Spark's JSON writer, partitioned by group), read by each of the
 * group's tasks after placement: every rank of a group gets the same list, in prompt-id order, without the driver
 * ever collecting the table.
 */
final class WorkShards {
    private WorkShards() {
    }

    static List<PromptWork> read(JobPaths paths, int group) throws IOException {
        Path dir = paths.workOf(group);
        FileSystem fs = HadoopFiles.fs(dir, paths.conf());
        List<PromptWork> work = new ArrayList<>();
        if (!fs.exists(dir)) {
            return work; // a group with no prompts (fewer prompts than groups)
        }
        for (FileStatus f : fs.listStatus(dir)) {
            String name = f.getPath().getName();
            if (!f.isFile() || name.startsWith("_") || name.startsWith(".")) {
                continue;
            }
            try (FSDataInputStream in = fs.open(f.getPath());
                 BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (!line.isBlank()) {
                        work.add(new PromptWork(request(Json.mapper().readTree(line), f.getPath())));
                    }
                }
            }
        }
        work.sort(Comparator.comparing(PromptWork::promptId));
        return work;
    }

    private static RenderRequest request(JsonNode n, Path file) {
        try {
            return new RenderRequest(n.get("prompt_id").asText(), n.get("prompt").asText(),
                    n.hasNonNull("prompt_2") ? n.get("prompt_2").asText() : null, n.get("seed").asLong(),
                    n.get("width").asInt(), n.get("height").asInt(), n.get("steps").asInt(),
                    n.get("guidance").asDouble());
        } catch (RuntimeException e) {
            throw new IllegalStateException(file + ": a work row the driver wrote cannot be read back: " + n, e);
        }
    }
}
