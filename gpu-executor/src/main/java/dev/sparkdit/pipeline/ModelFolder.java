package dev.sparkdit.pipeline;

import dev.sparkdit.json.Json;
import dev.sparkdit.models.ConfigJson;
import dev.sparkdit.models.SafetensorsCheckpoint;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A FLUX.1 model folder in the diffusers layout (what {@code FluxPipeline.save_pretrained} writes and the
 * black-forest-labs repositories hold):
 * <pre>
 *   model_index.json                 _class_name FluxPipeline
 *   transformer/    config.json + diffusion_pytorch_model*.safetensors (one file, or shards + index)
 *   vae/            config.json + diffusion_pytorch_model*.safetensors
 *   text_encoder/   config.json + model*.safetensors           CLIP-L
 *   text_encoder_2/ config.json + model*.safetensors           T5-XXL
 *   tokenizer/      tokenizer.json, or vocab.json + merges.txt
 *   tokenizer_2/    tokenizer.json, or spiece.model
 *   scheduler/      scheduler_config.json
 * </pre>
 * {@link #open} checks all of it before anything is loaded: every missing file, unreadable config and missing,
 * unexpected or mis-shaped checkpoint key is reported at once in one {@link ModelFolderException}.
 */
public final class ModelFolder implements PipelineSource {
    private final Path dir;
    private final PipelineConfig config;

    private ModelFolder(Path dir, PipelineConfig config) {
        this.dir = dir;
        this.config = config;
    }

    public Path dir() {
        return dir;
    }

    public static ModelFolder open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new ModelFolderException(dir, List.of(Files.exists(dir) ? "not a folder" : "no such folder"
                    + " (a model is a diffusers folder, or random:dev, random:schnell, random:tiny)"));
        }
        List<String> problems = new ArrayList<>();
        Path index = dir.resolve("model_index.json");
        if (!Files.isRegularFile(index)) {
            problems.add("model_index.json is missing");
        } else {
            Object cls = read(index, problems).get("_class_name");
            if (cls != null && !"FluxPipeline".equals(cls)) {
                problems.add("model_index.json: _class_name is " + cls + ", expected FluxPipeline");
            }
        }
        FluxConfig flux = part(problems, dir, "transformer", "config.json", c -> FluxConfig.fromDiffusers(c.json()));
        ClipTextConfig clip = part(problems, dir, "text_encoder", "config.json", ClipTextConfig::fromTransformers);
        T5Config t5 = part(problems, dir, "text_encoder_2", "config.json", T5Config::fromTransformers);
        VaeConfig vae = part(problems, dir, "vae", "config.json", VaeConfig::fromDiffusers);
        FlowMatchSchedulerConfig scheduler = null;
        Path sched = dir.resolve("scheduler").resolve("scheduler_config.json");
        if (!Files.isRegularFile(sched)) {
            problems.add("scheduler/scheduler_config.json is missing");
        } else {
            try {
                scheduler = FlowMatchSchedulerConfig.read(sched);
            } catch (IOException | IllegalArgumentException e) {
                problems.add("scheduler/scheduler_config.json: " + e.getMessage());
            }
        }
        for (String t : new String[] {"tokenizer", "tokenizer_2"}) {
            try {
                if (t.equals("tokenizer")) {
                    TokenizerFolder.clip(dir.resolve(t));
                } else {
                    TokenizerFolder.t5(dir.resolve(t));
                }
            } catch (IOException | RuntimeException e) {
                problems.add(t + "/: " + e.getMessage());
            }
        }
        if (flux != null) {
            checkpoint(problems, dir, "transformer", src -> FluxTransformer.validate(src, flux));
        }
        if (clip != null) {
            checkpoint(problems, dir, "text_encoder", src -> ClipTextEncoder.validate(src, clip));
        }
        if (t5 != null) {
            checkpoint(problems, dir, "text_encoder_2", src -> T5Encoder.validate(src, t5));
        }
        if (vae != null) {
            checkpoint(problems, dir, "vae", src -> VaeDecoder.validate(src, vae));
        }
        PipelineConfig config = null;
        if (problems.isEmpty()) {
            try {
                config = new PipelineConfig(nameOf(dir), flux, clip, t5, vae, scheduler).requireConsistent();
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelFolderException(dir, problems);
        }
        return new ModelFolder(dir, config);
    }

    private static String nameOf(Path dir) {
        Path n = dir.toAbsolutePath().normalize().getFileName();
        return n == null ? dir.toString() : n.toString();
    }

    private interface ConfigReader<T> {
        T read(ConfigJson json);
    }

    private interface CheckpointCheck {
        void check(SafetensorsCheckpoint src);
    }

    private static Map<String, Object> read(Path file, List<String> problems) {
        try {
            return Json.asMap(Json.parse(Files.readString(file, StandardCharsets.UTF_8)), file.toString());
        } catch (IOException | IllegalArgumentException e) {
            problems.add(file.getFileName() + ": " + e.getMessage());
            return Map.of();
        }
    }

    private static <T> T part(List<String> problems, Path dir, String part, String file, ConfigReader<T> reader) {
        Path p = dir.resolve(part).resolve(file);
        if (!Files.isRegularFile(p)) {
            problems.add(part + "/" + file + " is missing");
            return null;
        }
        List<String> own = new ArrayList<>();
        Map<String, Object> json = read(p, own);
        if (!own.isEmpty()) {
            problems.add(part + "/" + own.get(0));
            return null;
        }
        try {
            return reader.read(new ConfigJson(part + "/" + file, json));
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    private static void checkpoint(List<String> problems, Path dir, String part, CheckpointCheck check) {
        String missing = missingWeights(dir.resolve(part));
        if (missing != null) {
            problems.add(part + "/" + missing + " is missing (" + part + "/ holds no .safetensors file and no"
                    + " .safetensors.index.json)");
            return;
        }
        try (SafetensorsCheckpoint src = SafetensorsCheckpoint.open(dir.resolve(part))) {
            check.check(src);
        } catch (IOException | RuntimeException e) { // CheckpointMismatchException lists every bad key
            problems.add(part + "/: " + e.getMessage());
        }
    }

    /**
     * The weights file a part's folder should hold when it holds none at all (the name diffusers writes:
     * {@code diffusion_pytorch_model.safetensors} for the transformer and the VAE, {@code model.safetensors} for the
     * text encoders), else null.
     */
    private static String missingWeights(Path partDir) {
        if (Files.isDirectory(partDir)) {
            try (java.util.stream.Stream<Path> files = Files.list(partDir)) {
                if (files.map(p -> p.getFileName().toString()).anyMatch(n -> n.endsWith(".safetensors")
                        || n.endsWith(".safetensors.index.json"))) {
                    return null;
                }
            } catch (IOException e) {
                return null; // opening the checkpoint reports it
            }
        }
        String name = partDir.getFileName().toString();
        return (name.startsWith("text_encoder") ? "model" : "diffusion_pytorch_model") + ".safetensors";
    }

    @Override
    public PipelineConfig config() {
        return config;
    }

    @Override
    public FluxTransformer transformer(Ops ops, Arena weights, DType dtype) throws IOException {
        try (SafetensorsCheckpoint src = SafetensorsCheckpoint.open(dir.resolve("transformer"))) {
            return FluxTransformer.load(src, config.transformer(), ops, weights, dtype);
        }
    }

    @Override
    public ClipTextEncoder clip(Ops ops, Arena weights, DType dtype) throws IOException {
        try (SafetensorsCheckpoint src = SafetensorsCheckpoint.open(dir.resolve("text_encoder"))) {
            return ClipTextEncoder.load(src, config.clip(), ops, weights, dtype);
        }
    }

    @Override
    public T5Encoder t5(Ops ops, Arena weights, DType dtype) throws IOException {
        try (SafetensorsCheckpoint src = SafetensorsCheckpoint.open(dir.resolve("text_encoder_2"))) {
            return T5Encoder.load(src, config.t5(), ops, weights, dtype);
        }
    }

    @Override
    public VaeDecoder vae(Ops ops, Arena weights, DType dtype) throws IOException {
        try (SafetensorsCheckpoint src = SafetensorsCheckpoint.open(dir.resolve("vae"))) {
            return VaeDecoder.load(src, config.vae(), ops, weights, dtype);
        }
    }

    @Override
    public TextTokenizer clipTokenizer() throws IOException {
        return TokenizerFolder.clip(dir.resolve("tokenizer"));
    }

    @Override
    public TextTokenizer t5Tokenizer() throws IOException {
        return TokenizerFolder.t5(dir.resolve("tokenizer_2"));
    }

    @Override
    public String toString() {
        return "model folder " + dir;
    }
}
