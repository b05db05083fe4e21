package dev.sparkdit.pipeline;

import dev.sparkdit.io.AtomicFiles;
import dev.sparkdit.json.Json;
import dev.sparkdit.models.ModelParam;
import dev.sparkdit.models.RandomCheckpoint;
import dev.sparkdit.models.RandomFill;
import dev.sparkdit.models.clip.ClipTextEncoder;
import dev.sparkdit.models.flux.FluxTransformer;
import dev.sparkdit.models.t5.T5Encoder;
import dev.sparkdit.models.vae.VaeDecoder;
import dev.sparkdit.models.vae.VaeEncoderParams;
import dev.sparkdit.safetensors.ShardedSafetensorsWriter;
import dev.sparkdit.tensor.DType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Writes a {@link RandomModel} as a FLUX.1 model folder in the diffusers layout, which {@link ModelFolder#open}
 * accepts: the same values as {@code random:PRESET} of the same seed (bit for bit in f32, rounded to nearest even in
 * bf16), so a render from the folder and from {@code random:PRESET} agree.
 * <pre>
 *   model_index.json                FluxPipeline and its parts (written last: a folder without it is incomplete)
 *   transformer/    config.json     diffusers FluxTransformer2DModel
 *                   diffusion_pytorch_model.safetensors, or -0000i-of-0000n shards + .safetensors.index.json
 *   text_encoder/   config.json     transformers CLIPTextModel     model[...].safetensors
 *   text_encoder_2/ config.json     transformers T5EncoderModel    model[...].safetensors
 *   vae/            config.json     diffusers AutoencoderKL        diffusion_pytorch_model[...].safetensors (+ encoder)
 *   scheduler/      scheduler_config.json
 *   tokenizer/, tokenizer_2/        the bundled tiny tokenizers (their ids fit the full-size vocabularies)
 * </pre>
 * {@code dev} and {@code schnell} configs are written from the presets' records; {@code tiny}'s are the bundled files.
 * Weights stream to disk in shards ({@link ShardedSafetensorsWriter}): memory stays at threads x 4 MiB whatever the
 * model's size. Existing files of these names are replaced, each atomically; other files are left alone.
 */
public final class RandomModelFolder {
    private static final Map<String, String> METADATA = Map.of("format", "pt");

    private RandomModelFolder() {
    }

    /** One weights part: its subfolder, the checkpoint file stem, and the tensors. */
    public record Part(String folder, String stem, RandomCheckpoint checkpoint) {
    }

    /** How weights are written: the largest shard (tensor bytes) and the threads making and writing chunks. */
    public record Options(long shardBytes, int threads) {
        public static final Options DEFAULT = new Options(ShardedSafetensorsWriter.DEFAULT_SHARD_BYTES,
                Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors())));

        public Options {
            if (shardBytes <= 0 || threads <= 0) {
                throw new IllegalArgumentException("shard size and threads must be > 0, got " + shardBytes + " bytes, "
                        + threads + " threads");
            }
        }
    }

    /** Told how each part goes; {@link #written} comes from writer threads. */
    public interface Progress {
        void started(Part part);

        /** {@code bytes} of the part's tensors are in files so far. */
        void written(Part part, long bytes);

        void finished(Part part, ShardedSafetensorsWriter.Written written, long nanos);
    }

    /** The weights parts of {@code preset} with {@code seed}, as {@code dtype} (f32 or bf16), in writing order. */
    public static List<Part> parts(String preset, long seed, DType dtype) {
        PipelineConfig c = RandomModel.of(preset, seed).config();
        List<RandomFill> vae = new ArrayList<>(VaeDecoder.randomFills(c.vae(), seed + RandomModel.VAE_SEED_OFFSET));
        long next = seed + RandomModel.VAE_SEED_OFFSET + vae.size();
        for (ModelParam p : VaeEncoderParams.params(c.vae())) {
            vae.add(VaeDecoder.randomFill(p, next++));
        }
        return List.of(
                new Part("transformer", "diffusion_pytorch_model",
                        RandomCheckpoint.of(FluxTransformer.randomFills(c.transformer(), seed), dtype)),
                new Part("text_encoder", "model", RandomCheckpoint.of(
                        ClipTextEncoder.randomFills(c.clip(), seed + RandomModel.CLIP_SEED_OFFSET), dtype)),
                new Part("text_encoder_2", "model", RandomCheckpoint.of(
                        T5Encoder.randomFills(c.t5(), seed + RandomModel.T5_SEED_OFFSET), dtype)),
                new Part("vae", "diffusion_pytorch_model", RandomCheckpoint.of(vae, dtype)));
    }

    /**
     * Writes the whole folder (created if missing); see the class comment. Refuses before writing anything when the
     * file system has less room than the weights need (counting the weight files being replaced as free).
     */
    public static void write(Path dir, String preset, long seed, DType dtype, Options options, Progress progress)
            throws IOException {
        List<Part> parts = parts(preset, seed, dtype);
        Files.createDirectories(dir);
        long needed = 0;
        for (Part p : parts) {
            needed += p.checkpoint().bytes();
        }
        long reclaimed = existingWeightBytes(dir, parts);
        long free = Files.getFileStore(dir).getUsableSpace();
        if (needed - reclaimed > free) {
            throw new IOException(String.format(Locale.ROOT, "%s: the %s weights need %.2f GB, the file system has"
                    + " %.2f GB free", dir, preset, (needed - reclaimed) / 1e9, free / 1e9));
        }
        Files.deleteIfExists(dir.resolve("model_index.json"));
        writeConfigs(dir, preset, dtype);
        for (Part p : parts) {
            AtomicLong done = new AtomicLong();
            progress.started(p);
            long t0 = System.nanoTime();
            ShardedSafetensorsWriter.Written w = ShardedSafetensorsWriter.write(dir.resolve(p.folder()), p.stem(),
                    p.checkpoint().tensors(), METADATA, p.checkpoint(), options.shardBytes(), options.threads(),
                    b -> progress.written(p, done.addAndGet(b)));
            progress.finished(p, w, System.nanoTime() - t0);
        }
        writeModelIndex(dir, preset);
    }

    /**
     * Writes every file but the weights and model_index.json: the parts' configs (as {@code dtype} weights), the
     * scheduler's and the tokenizers.
     */
    public static void writeConfigs(Path dir, String preset, DType dtype) throws IOException {
        PipelineConfig c = RandomModel.of(preset).config();
        if (preset.equals("tiny")) {
            RandomModel.copyResources(dir, RandomModel.TINY_CONFIG_FILES.stream()
                    .filter(f -> !f.equals("model_index.json")).toList());
        } else {
            writeJson(dir.resolve("transformer/config.json"), c.transformer().toDiffusers());
            writeJson(dir.resolve("text_encoder/config.json"), c.clip().toTransformers(dtype));
            writeJson(dir.resolve("text_encoder_2/config.json"), c.t5().toTransformers(dtype));
            writeJson(dir.resolve("vae/config.json"), c.vae().toDiffusers());
            writeJson(dir.resolve("scheduler/scheduler_config.json"), c.scheduler().toDiffusers());
        }
        RandomModel.copyResources(dir, RandomModel.TOKENIZER_FILES);
    }

    /** model_index.json: FluxPipeline and the library and class of each part, as diffusers saves it. */
    public static void writeModelIndex(Path dir, String preset) throws IOException {
        if (preset.equals("tiny")) {
            RandomModel.copyResources(dir, List.of("model_index.json"));
            return;
        }
        writeJson(dir.resolve("model_index.json"), modelIndex());
    }

    static Map<String, Object> modelIndex() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_class_name", "FluxPipeline");
        m.put("_diffusers_version", dev.sparkdit.models.ConfigJson.DIFFUSERS_VERSION);
        m.put("feature_extractor", Arrays.asList(null, null));
        m.put("image_encoder", Arrays.asList(null, null));
        m.put("scheduler", List.of("diffusers", FlowMatchSchedulerConfig.CLASS_NAME));
        m.put("text_encoder", List.of("transformers", "CLIPTextModel"));
        m.put("text_encoder_2", List.of("transformers", "T5EncoderModel"));
        m.put("tokenizer", List.of("transformers", "CLIPTokenizer"));
        m.put("tokenizer_2", List.of("transformers", "T5Tokenizer"));
        m.put("transformer", List.of("diffusers", "FluxTransformer2DModel"));
        m.put("vae", List.of("diffusers", "AutoencoderKL"));
        return m;
    }

    private static void writeJson(Path file, Map<String, Object> json) throws IOException {
        Files.createDirectories(file.getParent());
        AtomicFiles.write(file, Json.writeIndented(json).getBytes(StandardCharsets.UTF_8));
    }

    /** Bytes of the .safetensors files already in the parts' folders (replaced or deleted by this write). */
    private static long existingWeightBytes(Path dir, List<Part> parts) throws IOException {
        long total = 0;
        for (Part p : parts) {
            Path folder = dir.resolve(p.folder());
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (Stream<Path> s = Files.list(folder)) {
                for (Path f : s.filter(f -> f.getFileName().toString().endsWith(".safetensors")).toList()) {
                    total += Files.size(f);
                }
            }
        }
        return total;
    }
}
