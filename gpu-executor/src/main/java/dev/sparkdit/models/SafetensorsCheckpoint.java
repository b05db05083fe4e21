package dev.sparkdit.models;

import dev.sparkdit.json.Json;
import dev.sparkdit.safetensors.SafetensorsEntry;
import dev.sparkdit.safetensors.SafetensorsFile;
import dev.sparkdit.tensor.DType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A checkpoint in safetensors form: one file, or a folder holding either a {@code *.safetensors.index.json}
 * with its shards (the diffusers/transformers sharded layout) or a single {@code .safetensors} file.
 * Files are memory-mapped; nothing is read until a tensor's data is asked for.
 */
public final class SafetensorsCheckpoint implements TensorSource {
    private final String description;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byName;

    private SafetensorsCheckpoint(String description, List<SafetensorsFile> files, Map<String, SafetensorsFile> byName) {
        this.description = description;
        this.files = files;
        this.byName = byName;
    }

    public static SafetensorsCheckpoint open(Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            return ofFiles(path.toString(), List.of(path), null);
        }
        if (!Files.isDirectory(path)) {
            throw new IOException("checkpoint " + path + " does not exist");
        }
        List<Path> indexes;
        List<Path> shards;
        try (Stream<Path> s = Files.list(path)) {
            List<Path> all = s.sorted().toList();
            indexes = all.stream().filter(p -> p.getFileName().toString().endsWith(".safetensors.index.json")).toList();
            shards = all.stream().filter(p -> p.getFileName().toString().endsWith(".safetensors")).toList();
        }
        if (indexes.size() > 1) {
            throw new IOException("checkpoint folder " + path + " holds several index files: " + indexes);
        }
        if (indexes.size() == 1) {
            return fromIndex(indexes.get(0));
        }
        if (shards.size() == 1) {
            return ofFiles(path.toString(), shards, null);
        }
        Path diffusers = path.resolve("diffusion_pytorch_model.safetensors");
        if (Files.isRegularFile(diffusers)) {
            return ofFiles(path.toString(), List.of(diffusers), null);
        }
        throw new IOException("checkpoint folder " + path + " has no *.safetensors.index.json and "
                + (shards.isEmpty() ? "no .safetensors file" : "several .safetensors files " + shards
                + " (which one is the model?)"));
    }

    private static SafetensorsCheckpoint fromIndex(Path index) throws IOException {
        Map<String, Object> json;
        try {
            json = Json.asMap(Json.parse(Files.readString(index, StandardCharsets.UTF_8)), index.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(index + ": " + e.getMessage(), e);
        }
        Map<String, Object> weightMap = Json.asMap(json.get("weight_map"), index + " weight_map");
        Map<String, String> expected = new LinkedHashMap<>();
        List<Path> shardPaths = new ArrayList<>();
        for (Map.Entry<String, Object> e : weightMap.entrySet()) {
            String shard = Json.asString(e.getValue(), index + " weight_map[" + e.getKey() + "]");
            expected.put(e.getKey(), shard);
            Path p = index.resolveSibling(shard);
            if (!shardPaths.contains(p)) {
                shardPaths.add(p);
            }
        }
        return ofFiles(index.getParent().toString(), shardPaths, expected);
    }

    private static SafetensorsCheckpoint ofFiles(String description, List<Path> paths, Map<String, String> expected)
            throws IOException {
        List<SafetensorsFile> files = new ArrayList<>();
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        try {
            for (Path p : paths) {
                if (!Files.isRegularFile(p)) {
                    throw new IOException("checkpoint shard " + p + " is missing");
                }
                SafetensorsFile f = SafetensorsFile.open(p);
                files.add(f);
                for (SafetensorsEntry e : f.entries()) {
                    SafetensorsFile prev = byName.put(e.name(), f);
                    if (prev != null) {
                        throw new IOException("tensor " + e.name() + " is stored twice: in " + prev.path() + " and "
                                + f.path());
                    }
                }
            }
            if (expected != null) {
                for (Map.Entry<String, String> e : expected.entrySet()) {
                    SafetensorsFile f = byName.get(e.getKey());
                    if (f == null || !f.path().getFileName().toString().equals(e.getValue())) {
                        throw new IOException("index lists " + e.getKey() + " in " + e.getValue() + " but "
                                + (f == null ? "no shard holds it" : "it is in " + f.path().getFileName()));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            for (SafetensorsFile f : files) {
                try {
                    f.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        return new SafetensorsCheckpoint(description, files, byName);
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile f = byName.get(name);
        if (f == null) {
            throw new IllegalArgumentException("checkpoint " + description + " has no tensor " + name);
        }
        return f;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(byName.keySet());
    }

    @Override
    public DType dtype(String name) {
        return file(name).entry(name).dtype();
    }

    @Override
    public long[] shape(String name) {
        return file(name).entry(name).shape();
    }

    @Override
    public ByteBuffer data(String name) {
        try {
            return file(name).data(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (SafetensorsFile f : files) {
            try {
                f.close();
            } catch (IOException ignored) {
                // Unmapping read-only files cannot lose data; nothing to report.
            }
        }
    }
}
