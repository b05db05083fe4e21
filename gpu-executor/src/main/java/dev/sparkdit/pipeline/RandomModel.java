package dev.sparkdit.pipeline;

import dev.sparkdit.json.Json;
import dev.sparkdit.models.ConfigJson;
import dev.sparkdit.models.clip.ClipTextConfig;
import dev.sparkdit.models.clip.ClipTextEncoder;
import dev.sparkdit.models.flux.FluxConfig;
import dev.sparkdit.models.flux.FluxTransformer;
import dev.sparkdit.models.t5.T5Config;
import dev.sparkdit.models.t5.T5Encoder;
import dev.sparkdit.models.vae.VaeConfig;
import dev.sparkdit.models.vae.VaeDecoder;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tokenizers.TextTokenizer;
import dev.sparkdit.tokenizers.TokenizerFolder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A pipeline of seeded random weights made on the device: {@code random:dev} and {@code random:schnell} at FLUX.1's
 * full size (benchmarks without the 33 GB of real weights), {@code random:tiny} at the golden tiny model's size
 * (demos and tests on a laptop). Weights are uniform with a fan-in scale (and norm weights near 1), so activations
 * stay finite through every block; the images are noise, the timings real.
 *
 * <p>{@code sparkdit make-random-model} writes the same model (same seed: same values) as a diffusers model folder
 * ({@link RandomModelFolder}), to test loading at full size.
 *
 * <p>Tokenizers: the project's own small CLIP and T5 tokenizers (trained on prompts written for it, vocabularies of
 * 1138 and 700 ids), shipped as resources; their ids are valid for the full-size vocabularies too.
 */
public final class RandomModel implements PipelineSource {
    public static final String PREFIX = "random:";
    public static final List<String> PRESETS = List.of("dev", "schnell", "tiny");
    private static final String RESOURCES = "/dev/sparkdit/pipeline/tiny/";

    private final PipelineConfig config;
    private final long seed;

    private RandomModel(PipelineConfig config, long seed) {
        this.config = config;
        this.seed = seed;
    }

    /** The seed of {@code random:PRESET}. */
    public static final long DEFAULT_SEED = 1234;
    /** Each part's seed is the model's plus its offset, so the parts differ. */
    static final long CLIP_SEED_OFFSET = 1_000_000;
    static final long T5_SEED_OFFSET = 2_000_000;
    static final long VAE_SEED_OFFSET = 3_000_000;

    /** The bundled files of the tiny preset besides the tokenizers. */
    static final List<String> TINY_CONFIG_FILES = List.of("model_index.json", "transformer/config.json",
            "vae/config.json", "text_encoder/config.json", "text_encoder_2/config.json",
            "scheduler/scheduler_config.json");
    /** The bundled tokenizer folders' files. */
    static final List<String> TOKENIZER_FILES = List.of("tokenizer/tokenizer.json", "tokenizer/tokenizer_config.json",
            "tokenizer_2/tokenizer.json", "tokenizer_2/tokenizer_config.json");

    public static RandomModel of(String preset) {
        return of(preset, DEFAULT_SEED);
    }

    /** The preset's model with weights of {@code seed} ({@link #DEFAULT_SEED} is {@code random:PRESET}). */
    public static RandomModel of(String preset, long seed) {
        return switch (preset) {
            case "dev" -> new RandomModel(new PipelineConfig("random:dev", FluxConfig.DEV, ClipTextConfig.L14,
                    T5Config.XXL, VaeConfig.FLUX, FlowMatchSchedulerConfig.dev()).requireConsistent(), seed);
            case "schnell" -> new RandomModel(new PipelineConfig("random:schnell", FluxConfig.SCHNELL,
                    ClipTextConfig.L14, T5Config.XXL, VaeConfig.FLUX, FlowMatchSchedulerConfig.schnell())
                    .requireConsistent(), seed);
            case "tiny" -> new RandomModel(tinyConfig(), seed);
            default -> throw new IllegalArgumentException("unknown random model '" + PREFIX + preset + "'; presets: "
                    + String.join(", ", PRESETS.stream().map(p -> PREFIX + p).toList()));
        };
    }

    /** The tiny preset's configs, from the resources (the shapes of the golden tiny pipeline). */
    static PipelineConfig tinyConfig() {
        return new PipelineConfig("random:tiny",
                FluxConfig.fromDiffusers(json("transformer/config.json").json()),
                ClipTextConfig.fromTransformers(json("text_encoder/config.json")),
                T5Config.fromTransformers(json("text_encoder_2/config.json")),
                VaeConfig.fromDiffusers(json("vae/config.json")),
                FlowMatchSchedulerConfig.fromJson(Json.mapper().valueToTree(json("scheduler/scheduler_config.json")
                        .json()), RESOURCES + "scheduler/scheduler_config.json")).requireConsistent();
    }

    /** A resource of the tiny preset as config JSON. */
    static ConfigJson json(String name) {
        try (InputStream in = RandomModel.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCES + name + " is missing from this build");
            }
            return new ConfigJson(RESOURCES + name, Json.asMap(Json.parse(new String(in.readAllBytes(),
                    StandardCharsets.UTF_8)), name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bundled tokenizer folders, copied out of the class path once (tokenizers read files). */
    static synchronized Path tokenizerFolder(String name) throws IOException {
        Path dir = extracted.resolve(name);
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            dir.toFile().deleteOnExit();
            for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
                try (InputStream in = RandomModel.class.getResourceAsStream(RESOURCES + name + "/" + f)) {
                    if (in == null) {
                        throw new IOException("resource " + RESOURCES + name + "/" + f + " is missing from this build");
                    }
                    Path file = Files.write(dir.resolve(f), in.readAllBytes());
                    file.toFile().deleteOnExit();
                }
            }
        }
        return dir;
    }

    private static final Path extracted = tempFolder();

    private static Path tempFolder() {
        try {
            Path d = Files.createTempDirectory("sparkdit-tokenizers");
            d.toFile().deleteOnExit();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder for the bundled tokenizers", e);
        }
    }

    /** Copies bundled files of the tiny preset (paths relative to it) into {@code dir}, each atomically. */
    static void copyResources(Path dir, List<String> files) throws IOException {
        for (String f : files) {
            try (InputStream in = RandomModel.class.getResourceAsStream(RESOURCES + f)) {
                if (in == null) {
                    throw new IOException("resource " + RESOURCES + f + " is missing from this build");
                }
                Path target = dir.resolve(f);
                Files.createDirectories(target.getParent());
                dev.sparkdit.io.AtomicFiles.write(target, in.readAllBytes());
            }
        }
    }

    public long seed() {
        return seed;
    }

    @Override
    public PipelineConfig config() {
        return config;
    }

    @Override
    public FluxTransformer transformer(Ops ops, Arena weights, DType dtype) {
        return FluxTransformer.random(config.transformer(), ops, weights, dtype, seed);
    }

    @Override
    public ClipTextEncoder clip(Ops ops, Arena weights, DType dtype) {
        return ClipTextEncoder.random(config.clip(), ops, weights, dtype, seed + CLIP_SEED_OFFSET);
    }

    @Override
    public T5Encoder t5(Ops ops, Arena weights, DType dtype) {
        return T5Encoder.random(config.t5(), ops, weights, dtype, seed + T5_SEED_OFFSET);
    }

    @Override
    public VaeDecoder vae(Ops ops, Arena weights, DType dtype) {
        return VaeDecoder.random(config.vae(), ops, weights, dtype, seed + VAE_SEED_OFFSET);
    }

    @Override
    public TextTokenizer clipTokenizer() throws IOException {
        return TokenizerFolder.clip(tokenizerFolder("tokenizer"));
    }

    @Override
    public TextTokenizer t5Tokenizer() throws IOException {
        return TokenizerFolder.t5(tokenizerFolder("tokenizer_2"));
    }

    @Override
    public String toString() {
        return config.name();
    }
}
