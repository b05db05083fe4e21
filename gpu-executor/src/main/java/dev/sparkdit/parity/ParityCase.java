package dev.sparkdit.parity;

import dev.sparkdit.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A case folder in the layout of the golden data: {@code config.json} (the reference's constructor arguments plus
 * input descriptors), {@code io.safetensors} (inputs and expected outputs) and, for single modules,
 * {@code weights.safetensors} (the state dict under the reference's names; null when the folder has none).
 */
public record ParityCase(Path dir, String name, Map<String, Object> config, Path weights, Path io) {

    public static ParityCase open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("case folder " + dir + " does not exist or is not a folder");
        }
        Path config = dir.resolve("config.json");
        Path weights = dir.resolve("weights.safetensors");
        Path io = dir.resolve("io.safetensors");
        for (Path p : new Path[] {config, io}) {
            if (!Files.isRegularFile(p)) {
                throw new IOException("case folder " + dir + " lacks " + p.getFileName()
                        + " (a case holds config.json and io.safetensors, and weights.safetensors for a module)");
            }
        }
        Map<String, Object> json;
        try {
            json = Json.asMap(Json.parse(Files.readString(config, StandardCharsets.UTF_8)), config.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(config + ": " + e.getMessage(), e);
        }
        Path fileName = dir.toAbsolutePath().normalize().getFileName();
        return new ParityCase(dir, fileName == null ? dir.toString() : fileName.toString(), json,
                Files.isRegularFile(weights) ? weights : null, io);
    }

    /** The weights file, which module cases must have. */
    public Path requireWeights() throws IOException {
        if (weights == null) {
            throw new IOException("case folder " + dir + " lacks weights.safetensors");
        }
        return weights;
    }
}
