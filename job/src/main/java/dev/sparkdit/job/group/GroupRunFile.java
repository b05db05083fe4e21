package dev.sparkdit.job.group;

import dev.sparkdit.json.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A render-group run handed to its child ranks as one JSON file: the settings and every prompt with its group, so
 * that a child process works on exactly the lists the parent made (rank processes join over TCP, as Spark tasks do
 * through the barrier).
 */
public record GroupRunFile(JobSettings settings, List<dev.sparkdit.datasets.RenderRequest> prompts,
                           List<Integer> groupOfPrompt, String output) {

    public void write(Path file) throws IOException {
        Files.writeString(file, Json.mapper().writeValueAsString(this));
    }

    public static GroupRunFile read(Path file) throws IOException {
        return Json.mapper().readValue(file.toFile(), GroupRunFile.class);
    }

    /** The ordered prompts of group {@code g}. */
    public List<PromptWork> workOf(int g) {
        List<PromptWork> w = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            if (groupOfPrompt.get(i) == g) {
                w.add(new PromptWork(prompts.get(i)));
            }
        }
        w.sort(java.util.Comparator.comparing(PromptWork::promptId));
        return w;
    }
}
