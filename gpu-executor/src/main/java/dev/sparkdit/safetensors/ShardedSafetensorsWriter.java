package dev.sparkdit.safetensors;

import dev.sparkdit.io.AtomicFiles;
import dev.sparkdit.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * Writes one model's tensors into a folder as diffusers and transformers save them: a checkpoint that fits one shard
 * is the single file {@code STEM.safetensors}; a larger one is {@code STEM-00001-of-00003.safetensors} ... plus
 * {@code STEM.safetensors.index.json}:
 * <pre>
 *   {"metadata": {"total_size": tensor bytes of all shards}, "weight_map": {tensor name: shard file name}}
 * </pre>
 * ({@code STEM} is {@code diffusion_pytorch_model} for diffusers models, {@code model} for transformers ones.)
 *
 * <p>Shards are filled as huggingface_hub's {@code split_state_dict_into_shards_factory} fills them: tensors in the
 * given order go into the current shard until the next would take its tensor bytes past the limit; a tensor larger
 * than the limit gets a shard of its own. Within a shard the data lie in name order, as the reference writer lays
 * them out. Each file is written atomically by {@link SafetensorsWriter} (streaming, threads x 4 MiB of memory), the
 * index last; then files of an earlier checkpoint under the same stem that this one did not write are deleted, so
 * the folder holds exactly one checkpoint.
 */
public final class ShardedSafetensorsWriter {
    /** The transformers default {@code max_shard_size="5GB"} (decimal, as huggingface_hub counts). */
    public static final long DEFAULT_SHARD_BYTES = 5_000_000_000L;

    private ShardedSafetensorsWriter() {
    }

    /** What was written: the files in order, the index (null for a single file), and their tensor bytes. */
    public record Written(List<Path> files, Path index, long tensorBytes) {
        public Written {
            files = List.copyOf(files);
        }

        /** Bytes on disk: tensor bytes plus each file's header. */
        public long fileBytes() throws IOException {
            long total = index == null ? 0 : Files.size(index);
            for (Path f : files) {
                total += Files.size(f);
            }
            return total;
        }
    }

    /**
     * Writes {@code tensors} (bytes from {@code bytes}) under {@code folder} (created), in shards of at most
     * {@code shardBytes} tensor bytes; see the class comment. {@code progress} as for
     * {@link SafetensorsWriter#write(Path, List, Map, TensorBytes, int, LongConsumer)}.
     */
    public static Written write(Path folder, String stem, List<TensorSpec> tensors, Map<String, String> metadata,
                                TensorBytes bytes, long shardBytes, int threads, LongConsumer progress)
            throws IOException {
        Objects.requireNonNull(stem, "stem");
        List<List<TensorSpec>> shards = shards(tensors, shardBytes);
        Files.createDirectories(folder);
        List<Path> files = new ArrayList<>();
        Map<String, Object> weightMap = new TreeMap<>();
        long total = 0;
        for (int i = 0; i < shards.size(); i++) {
            String name = shards.size() == 1 ? stem + ".safetensors"
                    : String.format(Locale.ROOT, "%s-%05d-of-%05d.safetensors", stem, i + 1, shards.size());
            List<TensorSpec> shard = new ArrayList<>(shards.get(i));
            shard.sort(Comparator.comparing(TensorSpec::name));
            Path file = folder.resolve(name);
            SafetensorsWriter.write(file, shard, metadata, bytes, threads, progress);
            files.add(file);
            for (TensorSpec t : shard) {
                weightMap.put(t.name(), name);
                total += t.byteSize();
            }
        }
        Path index = null;
        if (shards.size() > 1) {
            index = folder.resolve(indexName(stem));
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("metadata", Map.of("total_size", total));
            json.put("weight_map", weightMap);
            AtomicFiles.write(index, Json.writeIndented(json).getBytes(StandardCharsets.UTF_8));
        }
        deleteStale(folder, stem, files, index);
        return new Written(files, index, total);
    }

    public static String indexName(String stem) {
        return stem + ".safetensors.index.json";
    }

    /** The tensors of each shard, in the given order; see the class comment for the rule. */
    static List<List<TensorSpec>> shards(List<TensorSpec> tensors, long shardBytes) {
        if (shardBytes <= 0) {
            throw new IllegalArgumentException("shard size must be > 0 bytes, got " + shardBytes);
        }
        List<List<TensorSpec>> shards = new ArrayList<>();
        List<TensorSpec> current = new ArrayList<>();
        long size = 0;
        for (TensorSpec t : tensors) {
            long b = t.byteSize();
            if (b > shardBytes) {
                shards.add(List.of(t));
                continue;
            }
            if (size + b > shardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(t);
            size += b;
        }
        if (!current.isEmpty() || shards.isEmpty()) {
            shards.add(current);
        }
        return shards;
    }

    /** Earlier files of this stem (single file, shards of another count, the index) that this write did not make. */
    private static void deleteStale(Path folder, String stem, List<Path> written, Path index) throws IOException {
        List<Path> stale;
        try (Stream<Path> s = Files.list(folder)) {
            stale = s.filter(p -> {
                String n = p.getFileName().toString();
                boolean ours = n.equals(stem + ".safetensors") || n.equals(indexName(stem))
                        || n.matches(java.util.regex.Pattern.quote(stem) + "-\\d{5}-of-\\d{5}\\.safetensors");
                return ours && !written.contains(p) && !p.equals(index);
            }).toList();
        }
        for (Path p : stale) {
            Files.deleteIfExists(p);
        }
    }
}
