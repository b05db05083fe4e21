package dev.sparkdit.parity;

import dev.sparkdit.json.Json;
import dev.sparkdit.models.ConfigJson;
import dev.sparkdit.models.SafetensorsCheckpoint;
import dev.sparkdit.models.clip.ClipTextEncoder;
import dev.sparkdit.models.flux.FluxConfig;
import dev.sparkdit.models.flux.FluxTransformer;
import dev.sparkdit.models.t5.T5Encoder;
import dev.sparkdit.models.vae.VaeConfig;
import dev.sparkdit.models.vae.VaeDecoder;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.pipeline.FlowMatchSchedulerConfig;
import dev.sparkdit.pipeline.FluxPipeline;
import dev.sparkdit.pipeline.ModelFolder;
import dev.sparkdit.pipeline.PipelineConfig;
import dev.sparkdit.pipeline.PipelineLimits;
import dev.sparkdit.pipeline.PipelineSource;
import dev.sparkdit.pipeline.RenderListener;
import dev.sparkdit.pipeline.RenderRequest;
import dev.sparkdit.pipeline.RenderedImage;
import dev.sparkdit.runner.RankGroup;
import dev.sparkdit.safetensors.SafetensorsFile;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tokenizers.TextTokenizer;
import dev.sparkdit.usp.ParallelPlan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The two pipeline cases, run through {@link FluxPipeline} over the case's ranks with the reference's initial latents:
 * {@code pipeline_tiny} (prompt embeddings given; the transformer, VAE and scheduler come from the sibling case
 * folders it names) and {@code pipeline_text_tiny} (prompts as text through a whole diffusers model folder,
 * {@code model/}). Outputs: the text states (from text), the final packed latents and the image in [0, 1].
 */
public final class PipelineParity {
    private PipelineParity() {
    }

    public static boolean isCase(ParityCase c) {
        return c.config().containsKey("transformer") && c.config().containsKey("vae");
    }

    public static boolean isTextCase(ParityCase c) {
        return c.config().containsKey("prompts") && Files.isRegularFile(c.dir().resolve("model")
                .resolve("model_index.json"));
    }

    public static List<ParityResult> run(ParityCase c, ParityOptions opt) throws IOException {
        ConfigJson cfg = new ConfigJson(c.dir().resolve("config.json").toString(), c.config());
        Path parent = c.dir().toAbsolutePath().normalize().getParent();
        PipelineSource source = new CaseFolders(parent.resolve(cfg.stringValue("transformer", "flux_tiny_dev")),
                parent.resolve(cfg.stringValue("vae", "vae_tiny")), parent.resolve("scheduler"),
                cfg.stringValue("scheduler", "scheduler.dev"));
        float[] initial;
        float[] embeds;
        float[] pooled;
        float[] expectedLatents;
        float[] expectedImage;
        int textTokens;
        try (SafetensorsFile io = SafetensorsFile.open(c.io())) {
            initial = CaseTensors.floats(io, "initial_packed_latents");
            embeds = CaseTensors.floats(io, "prompt_embeds");
            pooled = CaseTensors.floats(io, "pooled_prompt_embeds");
            textTokens = (int) CaseTensors.shape(io, "prompt_embeds")[1];
            expectedLatents = CaseTensors.floats(io, "final_packed_latents");
            expectedImage = CaseTensors.floats(io, "image");
        }
        RenderRequest r = request(cfg, "0", "", 0);
        FluxPipeline.Trace trace = new FluxPipeline.Trace();
        RenderedImage image = render(source, r, new FluxPipeline.GivenInputs(initial, embeds, pooled), textTokens, opt,
                trace);
        List<ParityResult> out = new ArrayList<>();
        out.add(result(c, opt, "final_packed_latents", trace.finalPacked, expectedLatents));
        out.add(result(c, opt, "image", CaseTensors.toChannelsFirst(image.rgb(), r.height(), r.width(), 3),
                expectedImage));
        return out;
    }

    public static List<ParityResult> runText(ParityCase c, ParityOptions opt) throws IOException {
        ConfigJson cfg = new ConfigJson(c.dir().resolve("config.json").toString(), c.config());
        ModelFolder model = ModelFolder.open(c.dir().resolve("model"));
        List<String> prompts = cfg.stringList("prompts");
        int maxSequenceLength = cfg.intValue("max_sequence_length", 512);
        List<ParityResult> out = new ArrayList<>();
        try (SafetensorsFile io = SafetensorsFile.open(c.io())) {
            for (int i = 0; i < prompts.size(); i++) {
                String p = "p" + i + "_";
                RenderRequest r = request(cfg, "p" + i, prompts.get(i), 0);
                FluxPipeline.Trace trace = new FluxPipeline.Trace();
                RenderedImage image = render(model, r, new FluxPipeline.GivenInputs(
                        CaseTensors.floats(io, p + "initial_packed_latents"), null, null), maxSequenceLength, opt, trace);
                out.add(result(c, opt, p + "prompt_embeds", trace.promptEmbeds,
                        CaseTensors.floats(io, p + "prompt_embeds")));
                out.add(result(c, opt, p + "pooled_prompt_embeds", trace.pooled,
                        CaseTensors.floats(io, p + "pooled_prompt_embeds")));
                out.add(result(c, opt, p + "final_packed_latents", trace.finalPacked,
                        CaseTensors.floats(io, p + "final_packed_latents")));
                out.add(result(c, opt, p + "image", CaseTensors.toChannelsFirst(image.rgb(), r.height(), r.width(), 3),
                        CaseTensors.floats(io, p + "image")));
            }
        }
        return out;
    }

    private static RenderRequest request(ConfigJson cfg, String id, String prompt, long seed) {
        return new RenderRequest(id, prompt, null, seed, cfg.requireInt("width"), cfg.requireInt("height"),
                cfg.requireInt("steps"), cfg.doubleValue("guidance_scale", 3.5));
    }

    /** The request on the case's ranks (threads); the lead's image and trace come back. */
    private static RenderedImage render(PipelineSource source, RenderRequest r, FluxPipeline.GivenInputs given,
                                        int sequenceLength, ParityOptions opt, FluxPipeline.Trace trace)
            throws IOException {
        ParallelPlan plan = ParallelPlan.of(opt.ranks(), opt.ulysses(), opt.ring(), opt.ranks());
        PipelineLimits limits = new PipelineLimits(r.width(), r.height(), r.steps(), sequenceLength);
        long scratch = FluxPipeline.scratchBytes(source.config(), limits, plan, opt.dtype());
        try {
            List<RenderedImage> images = RankGroup.runThreads(plan, opt.run(), scratch, rank -> {
                try (FluxPipeline pipeline = FluxPipeline.load(rank, source, limits)) {
                    return pipeline.render(r, RenderListener.NONE, given, rank.leads() ? trace : null);
                }
            });
            return images.get(0);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("pipeline run failed: " + e, e);
        }
    }

    private static ParityResult result(ParityCase c, ParityOptions opt, String output, float[] actual,
                                       float[] expected) {
        return new ParityResult(c.name(), output, opt.backend(), opt.dtype().name().toLowerCase(), opt.parallelLabel(),
                ErrorStats.of(actual, expected), pipelineTolerance(opt));
    }

    /** The golden README's pipeline bound: 1e-4 in fp32 (4 steps compound the per-module 1e-5), 2e-2 in bf16. */
    static double pipelineTolerance(ParityOptions opt) {
        return Double.isNaN(opt.tolerance()) && opt.dtype() == DType.F32 && !opt.fp8() && !opt.fp8Gemm() ? 1e-4
                : opt.effectiveTolerance();
    }

    /** A pipeline without text encoders made of case folders: a FLUX case, a VAE case, the scheduler case. */
    private record CaseFolders(Path transformerCase, Path vaeCase, Path schedulerCase, String schedulerName)
            implements PipelineSource {
        @Override
        public PipelineConfig config() {
            try {
                FluxConfig flux = FluxConfig.fromDiffusers(json(transformerCase));
                VaeConfig vae = VaeConfig.fromDiffusers(new ConfigJson(vaeCase + "/config.json", json(vaeCase)));
                String which = schedulerName.substring(schedulerName.indexOf('.') + 1);
                FlowMatchSchedulerConfig sched = FlowMatchSchedulerConfig.fromJson(Json.mapper().valueToTree(
                        json(schedulerCase).get(which)), schedulerCase + "/config.json " + which);
                return new PipelineConfig("case", flux, null, null, vae, sched).requireConsistent();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private static Map<String, Object> json(Path caseDir) throws IOException {
            Path f = caseDir.resolve("config.json");
            return Json.asMap(Json.parse(Files.readString(f, StandardCharsets.UTF_8)), f.toString());
        }

        @Override
        public FluxTransformer transformer(Ops ops, Arena weights, DType dtype) throws IOException {
            try (SafetensorsCheckpoint src = SafetensorsCheckpoint.open(transformerCase.resolve("weights.safetensors"))) {
                return FluxTransformer.load(src, config().transformer(), ops, weights, dtype);
            }
        }

        @Override
        public VaeDecoder vae(Ops ops, Arena weights, DType dtype) throws IOException {
            try (SafetensorsCheckpoint src = SafetensorsCheckpoint.open(vaeCase.resolve("weights.safetensors"))) {
                return VaeDecoder.load(src, config().vae(), ops, weights, dtype);
            }
        }

        @Override
        public ClipTextEncoder clip(Ops ops, Arena weights, DType dtype) {
            throw new UnsupportedOperationException("a case pipeline has no CLIP");
        }

        @Override
        public T5Encoder t5(Ops ops, Arena weights, DType dtype) {
            throw new UnsupportedOperationException("a case pipeline has no T5");
        }

        @Override
        public TextTokenizer clipTokenizer() {
            throw new UnsupportedOperationException("a case pipeline has no tokenizer");
        }

        @Override
        public TextTokenizer t5Tokenizer() {
            throw new UnsupportedOperationException("a case pipeline has no tokenizer");
        }
    }
}
