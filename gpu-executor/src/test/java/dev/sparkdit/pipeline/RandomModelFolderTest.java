package dev.sparkdit.pipeline;

import dev.sparkdit.json.Json;
import dev.sparkdit.models.ConfigJson;
import dev.sparkdit.models.clip.ClipTextConfig;
import dev.sparkdit.models.flux.FluxConfig;
import dev.sparkdit.models.t5.T5Config;
import dev.sparkdit.models.vae.VaeConfig;
import dev.sparkdit.safetensors.ShardedSafetensorsWriter;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tokenizers.TokenizerFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RandomModelFolderTest {
    @TempDir
    Path tmp;

    private static Map<String, Object> json(Path file) throws IOException {
        return Json.asMap(Json.parse(Files.readString(file)), file.toString());
    }

    private static ConfigJson config(Path file) throws IOException {
        return new ConfigJson(file.toString(), json(file));
    }

    /** dev and schnell without their 33 GB of weights: every config reads back to the preset's record. */
    @Test
    void fullSizeConfigsReadBackToThePresets() throws Exception {
        for (String preset : List.of("dev", "schnell")) {
            Path dir = tmp.resolve(preset);
            RandomModelFolder.writeConfigs(dir, preset, DType.BF16);
            RandomModelFolder.writeModelIndex(dir, preset);
            PipelineConfig expected = RandomModel.of(preset).config();
            assertEquals(preset.equals("dev") ? FluxConfig.DEV : FluxConfig.SCHNELL,
                    FluxConfig.fromDiffusers(json(dir.resolve("transformer/config.json"))));
            assertEquals(expected.transformer(),
                    FluxConfig.fromDiffusers(json(dir.resolve("transformer/config.json"))));
            assertEquals(ClipTextConfig.L14,
                    ClipTextConfig.fromTransformers(config(dir.resolve("text_encoder/config.json"))));
            assertEquals(T5Config.XXL, T5Config.fromTransformers(config(dir.resolve("text_encoder_2/config.json"))));
            assertEquals(VaeConfig.FLUX, VaeConfig.fromDiffusers(config(dir.resolve("vae/config.json"))));
            assertEquals(expected.scheduler(),
                    FlowMatchSchedulerConfig.read(dir.resolve("scheduler/scheduler_config.json")));
            Path golden = Path.of(getClass().getResource("/golden/pipeline_text_tiny/model/model_index.json").toURI());
            assertEquals(json(golden), json(dir.resolve("model_index.json")));
            TokenizerFolder.clip(dir.resolve("tokenizer"));
            TokenizerFolder.t5(dir.resolve("tokenizer_2"));

            Map<String, Object> clip = json(dir.resolve("text_encoder/config.json"));
            assertEquals("clip_text_model", clip.get("model_type"));
            assertEquals("quick_gelu", clip.get("hidden_act"));
            assertEquals(2L, clip.get("eos_token_id"));
            assertEquals("bfloat16", clip.get("dtype"));
            Map<String, Object> t5 = json(dir.resolve("text_encoder_2/config.json"));
            assertEquals("t5", t5.get("model_type"));
            assertEquals("gated-gelu", t5.get("feed_forward_proj"));
            assertEquals("gelu_new", t5.get("dense_act_fn"));
            assertEquals(false, t5.get("is_decoder"));
            Map<String, Object> flux = json(dir.resolve("transformer/config.json"));
            assertEquals("FluxTransformer2DModel", flux.get("_class_name"));
            assertEquals(1L, flux.get("patch_size"));
            Map<String, Object> vae = json(dir.resolve("vae/config.json"));
            assertEquals(false, vae.get("use_quant_conv"));
            assertEquals(List.of("UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"),
                    vae.get("up_block_types"));
            Map<String, Object> sched = json(dir.resolve("scheduler/scheduler_config.json"));
            assertEquals(preset.equals("dev") ? 3.0 : 1.0, sched.get("shift"));
            assertEquals(preset.equals("dev"), sched.get("use_dynamic_shifting"));
        }
    }

    /** The writers of the config records read back to equal records for the tiny preset too. */
    @Test
    void tinyRecordsRoundTripThroughTheirWriters() {
        PipelineConfig tiny = RandomModel.of("tiny").config();
        assertEquals(tiny.transformer(), FluxConfig.fromDiffusers(reparse(tiny.transformer().toDiffusers())));
        assertEquals(tiny.clip(), ClipTextConfig.fromTransformers(new ConfigJson("clip",
                reparse(tiny.clip().toTransformers(DType.F32)))));
        assertEquals(tiny.t5(), T5Config.fromTransformers(new ConfigJson("t5",
                reparse(tiny.t5().toTransformers(DType.F32)))));
        assertEquals(tiny.vae(), VaeConfig.fromDiffusers(new ConfigJson("vae", reparse(tiny.vae().toDiffusers()))));
        assertEquals(tiny.scheduler(), FlowMatchSchedulerConfig.fromJson(Json.mapper().valueToTree(
                reparse(tiny.scheduler().toDiffusers())), "scheduler"));
    }

    private static Map<String, Object> reparse(Map<String, Object> m) {
        return Json.asMap(Json.parse(Json.writeIndented(m)), "config");
    }

    @Test
    void theTinyFolderOpensAsTheTinyPreset() throws IOException {
        Path dir = tmp.resolve("tiny");
        List<String> events = new ArrayList<>();
        RandomModelFolder.write(dir, "tiny", 1234, DType.BF16, new RandomModelFolder.Options(1_000_000, 2),
                new RandomModelFolder.Progress() {
                    @Override
                    public void started(RandomModelFolder.Part part) {
                        events.add("start " + part.folder());
                    }

                    @Override
                    public void written(RandomModelFolder.Part part, long bytes) {
                        assertTrue(bytes > 0 && bytes <= part.checkpoint().bytes());
                    }

                    @Override
                    public void finished(RandomModelFolder.Part part, ShardedSafetensorsWriter.Written written,
                                         long nanos) {
                        events.add("done " + part.folder() + " " + written.files().size());
                    }
                });
        // The tiny transformer is 3.7 MB in bf16: four shards of at most 1 MB and an index; the rest fit one file.
        assertEquals(List.of("start transformer", "done transformer 4", "start text_encoder", "done text_encoder 1",
                "start text_encoder_2", "done text_encoder_2 1", "start vae", "done vae 2"), events);
        assertTrue(Files.isRegularFile(dir.resolve("transformer/diffusion_pytorch_model.safetensors.index.json")));
        assertTrue(Files.isRegularFile(dir.resolve("text_encoder/model.safetensors")));
        assertFalse(Files.exists(dir.resolve("text_encoder/model.safetensors.index.json")));
        ModelFolder folder = ModelFolder.open(dir);
        PipelineConfig expected = RandomModel.of("tiny").config();
        assertEquals(expected.transformer(), folder.config().transformer());
        assertEquals(expected.clip(), folder.config().clip());
        assertEquals(expected.t5(), folder.config().t5());
        assertEquals(expected.vae(), folder.config().vae());
        assertEquals(expected.scheduler(), folder.config().scheduler());
    }

    @Test
    void missingWeightFilesAreNamedAllAtOnce() throws IOException {
        Path dir = tmp.resolve("tiny-broken");
        // 1 MB shards: the transformer in four shards and an index, the VAE in two, the text encoders one file each.
        RandomModelFolder.write(dir, "tiny", 1234, DType.BF16, new RandomModelFolder.Options(1_000_000, 2),
                new RandomModelFolder.Progress() {
                    @Override
                    public void started(RandomModelFolder.Part part) {
                    }

                    @Override
                    public void written(RandomModelFolder.Part part, long bytes) {
                    }

                    @Override
                    public void finished(RandomModelFolder.Part part, ShardedSafetensorsWriter.Written written,
                                         long nanos) {
                    }
                });
        Files.delete(dir.resolve("text_encoder_2/model.safetensors"));
        Path shard;
        try (var files = Files.list(dir.resolve("transformer"))) {
            shard = files.filter(p -> p.getFileName().toString().endsWith("-00002-of-00004.safetensors")).findFirst()
                    .orElseThrow();
        }
        Files.delete(shard);
        ModelFolderException e = org.junit.jupiter.api.Assertions.assertThrows(ModelFolderException.class,
                () -> ModelFolder.open(dir));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertTrue(e.problems().contains("text_encoder_2/model.safetensors is missing (text_encoder_2/ holds no"
                + " .safetensors file and no .safetensors.index.json)"), e.getMessage());
        assertTrue(e.problems().stream().anyMatch(p -> p.startsWith("transformer/") && p.contains(
                shard.getFileName().toString())), e.getMessage());
        assertTrue(e.getMessage().startsWith("model folder " + dir + " cannot be used (2 problems)"), e.getMessage());
    }
}
