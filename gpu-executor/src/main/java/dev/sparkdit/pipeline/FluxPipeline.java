package dev.sparkdit.pipeline;

import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.backend.DeviceEvent;
import dev.sparkdit.models.flux.FluxConfig;
import dev.sparkdit.models.flux.FluxTransformer;
import dev.sparkdit.models.vae.VaeConfig;
import dev.sparkdit.models.vae.VaeDecoder;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.runner.FluxStep;
import dev.sparkdit.runner.Rank;
import dev.sparkdit.runner.TokenShards;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.HostBuffers;
import dev.sparkdit.tensor.Tensor;
import dev.sparkdit.usp.ParallelPlan;
import dev.sparkdit.usp.comm.Communicator;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * FLUX.1 text to image on one rank of a group, as diffusers' {@code FluxPipeline} does it: the group's lead rank
 * tokenizes and encodes the prompt (CLIP pooled vector, T5 states) and broadcasts both to the group; every rank makes
 * the initial noise of its own image tokens from the seed ({@link SeededNoise}) and runs the denoising steps on its
 * tokens through the runner ({@link FluxStep}: sequence-parallel attention, a CUDA graph per shape), updating its
 * latents by the FlowMatch Euler rule; the latents come back to the lead, which unpacks, scales and decodes them with
 * the VAE. Only the lead returns an image.
 *
 * <p>Memory is reserved at {@link #load} for the {@link PipelineLimits}: weights, one work arena reset per image, and
 * per image shape a step (its tensors and graph) kept for later images of that shape.
 */
public final class FluxPipeline implements AutoCloseable {
    private final Rank rank;
    private final PipelineConfig config;
    private final DType dtype;
    private final PipelineLimits limits;
    private final FluxTransformer transformer;
    private final TextEncoders text;
    private final VaeDecoder vae;
    private final Arena work;
    private final Map<String, FluxStep> steps = new HashMap<>();
    private final Map<FluxStep, Arena> stepArenas = new HashMap<>();
    private final Set<FluxStep> warmed = new HashSet<>();

    private FluxPipeline(Rank rank, PipelineWeights weights, PipelineLimits limits, Arena work) {
        this.rank = rank;
        this.config = weights.config();
        this.dtype = weights.dtype();
        this.limits = limits;
        this.transformer = weights.transformer();
        this.text = weights.text();
        this.vae = weights.vae();
        this.work = work;
    }

    /**
     * Loads this rank's parts of {@code source} into its backend (the transformer on every rank, the text encoders
     * and the VAE on the lead only) and binds them to the rank.
     */
    public static FluxPipeline load(Rank rank, PipelineSource source, PipelineLimits limits) throws IOException {
        ComputeBackend backend = rank.backend();
        PipelineWeights weights = PipelineWeights.load(backend, source, rank.options().dtypeOn(backend.name()),
                rank.options().fp8Gemm(), limits.maxSequenceLength(), rank.leads(), rank.leads());
        return bind(rank, weights, limits);
    }

    /**
     * These weights (loaded into the rank's backend) bound to a rank of a group for a run of at most {@code limits}:
     * the per-image work arena and the per-shape steps are this binding's, given back by {@link #close}.
     */
    public static FluxPipeline bind(Rank rank, PipelineWeights weights, PipelineLimits limits) {
        if (weights.backend() != rank.backend()) {
            throw new IllegalArgumentException("weights loaded into another backend than the rank's");
        }
        if (rank.leads() && !weights.canLead()) {
            throw new IllegalStateException("the lead rank's weights lack the text encoders or the VAE");
        }
        if (limits.maxSequenceLength() != weights.maxSequenceLength()) {
            throw new IllegalArgumentException("weights made for " + weights.maxSequenceLength() + " T5 tokens, run"
                    + " asks for " + limits.maxSequenceLength());
        }
        Arena work = rank.backend().reserve("pipeline work", workBytes(weights.config(), limits, rank.sequenceRanks(),
                weights.dtype(), rank.leads()));
        return new FluxPipeline(rank, weights, limits, work);
    }

    /** Closes the steps' graphs and gives the work and step arenas back to the backend (the weights stay). */
    @Override
    public void close() {
        ComputeBackend backend = rank.backend();
        backend.ops().synchronize();
        for (FluxStep s : steps.values()) {
            s.close();
            backend.release(stepArenas.get(s));
        }
        steps.clear();
        stepArenas.clear();
        backend.release(work);
    }

    public PipelineConfig config() {
        return config;
    }

    /**
     * Scratch a rank needs for these limits: the largest of a denoising step of the largest image, the text encoders
     * and the VAE decode (all run on the same stream, one after another).
     */
    public static long scratchBytes(PipelineConfig cfg, PipelineLimits limits, ParallelPlan plan, DType dt) {
        FluxLatentShape shape = cfg.latent(limits.maxWidth(), limits.maxHeight());
        TokenShards shards = TokenShards.of(limits.maxSequenceLength(), shape.tokens(), plan.sequenceParallelDegree());
        long step = FluxStep.scratchBytes(cfg.transformer(), shards, plan, dt);
        long textEncode = cfg.hasTextEncoders() ? TextEncoders.scratchBytes(cfg, limits.maxSequenceLength(), dt) : 0;
        long decode = VaeDecoder.scratchBytes(cfg.vae(), shape.latentHeight(), shape.latentWidth(), dt);
        return Math.max(step, Math.max(textEncode, decode));
    }

    /** The per-image work arena: text states, schedule, latents on their way back, the VAE's input and output. */
    static long workBytes(PipelineConfig cfg, PipelineLimits limits, int ranks, DType dt, boolean lead) {
        FluxLatentShape shape = cfg.latent(limits.maxWidth(), limits.maxHeight());
        FluxConfig t = cfg.transformer();
        long tokenWidth = shape.tokenWidth();
        long padded = (shape.tokens() + ranks - 1) / ranks;
        long es = Math.max(dt.bytes(), 4);
        long bytes = Arena.alignUp((long) limits.maxSequenceLength() * t.jointAttentionDim() * es)
                + Arena.alignUp((long) t.pooledProjectionDim() * es)
                + Arena.alignUp(4L * limits.maxSteps()) + Arena.alignUp(limits.maxSteps() * tokenWidth * es)
                + Arena.alignUp(padded * tokenWidth * es) + Arena.alignUp(ranks * padded * tokenWidth * es)
                + 16 * Arena.ALIGNMENT;
        if (lead) {
            VaeConfig v = cfg.vae();
            bytes += (cfg.hasTextEncoders() ? TextEncoders.workBytes(cfg, limits.maxSequenceLength()) : 0)
                    + Arena.alignUp((long) shape.values() * es)
                    + Arena.alignUp((long) limits.maxWidth() * limits.maxHeight() * v.outChannels() * es);
        }
        return bytes;
    }

    /** One image; the lead rank returns it, the others null. Every rank of the group must call this alike. */
    public RenderedImage render(RenderRequest r, RenderListener listener) {
        return render(r, listener, GivenInputs.NONE, null);
    }

    /**
     * Inputs a caller supplies instead of the pipeline's own (parity cases give the reference's): any may be null.
     *
     * @param initialPacked the whole initial latent {@code [tokens, tokenWidth]}, instead of {@link SeededNoise}
     * @param promptEmbeds  T5 states {@code [maxSequenceLength, jointDim]}, instead of encoding the prompt
     * @param pooled        the CLIP pooled vector, with {@code promptEmbeds}
     */
    public record GivenInputs(float[] initialPacked, float[] promptEmbeds, float[] pooled) {
        public static final GivenInputs NONE = new GivenInputs(null, null, null);
    }

    /** Intermediates of a render on the lead, for parity checks. */
    public static final class Trace {
        public float[] promptEmbeds;
        public float[] pooled;
        public float[] finalPacked;
    }

    /** {@link #render(RenderRequest, RenderListener)} with given inputs and, on the lead, intermediates into trace. */
    public RenderedImage render(RenderRequest r, RenderListener listener, GivenInputs given, Trace trace) {
        if (r.width() > limits.maxWidth() || r.height() > limits.maxHeight() || r.steps() > limits.maxSteps()) {
            throw new IllegalArgumentException("request " + r.id() + " (" + r.width() + "x" + r.height() + ", "
                    + r.steps() + " steps) exceeds the limits this pipeline was sized for: " + limits);
        }
        long start = System.nanoTime();
        Ops ops = rank.ops();
        ComputeBackend backend = rank.backend();
        FluxLatentShape shape = config.latent(r.width(), r.height());
        FluxStep step = stepFor(shape);
        long mark = work.mark();
        try (DeviceEvent t0 = backend.newEvent(); DeviceEvent t1 = backend.newEvent();
             DeviceEvent s0 = backend.newEvent(); DeviceEvent s1 = backend.newEvent()) {
            // ---- text: encoded once per group, on the lead, and broadcast ----
            FluxConfig tc = config.transformer();
            Tensor promptEmbeds = work.allocate(dtype, limits.maxSequenceLength(), tc.jointAttentionDim());
            Tensor pooled = work.allocate(dtype, tc.pooledProjectionDim());
            double tokenizeMs = 0;
            double encodeMs = 0;
            TextEncoders.Tokenized ids = null;
            if (rank.leads() && given.promptEmbeds() != null) {
                ops.copyFromHost(promptEmbeds, HostBuffers.floats(given.promptEmbeds()), DType.F32);
                ops.copyFromHost(pooled, HostBuffers.floats(given.pooled()), DType.F32);
            } else if (rank.leads() && text == null) {
                throw new IllegalStateException(config.name() + " has no text encoders: prompts must come as"
                        + " embeddings");
            } else if (rank.leads()) {
                long tk = System.nanoTime();
                ids = text.tokenize(r);
                tokenizeMs = (System.nanoTime() - tk) / 1e6;
                t0.record();
                text.encode(ops, work, ids, promptEmbeds, pooled);
                t1.record();
                t1.synchronize();
                encodeMs = t1.elapsedMs(t0);
            }
            if (trace != null && rank.leads()) {
                ops.synchronize();
                trace.promptEmbeds = ops.toFloatArray(promptEmbeds);
                trace.pooled = ops.toFloatArray(pooled);
            }
            Communicator group = rank.group();
            if (group != null) {
                group.broadcast(promptEmbeds, 0);
                group.broadcast(pooled, 0);
            }
            // ---- this rank's latents, conditioning and schedule ----
            int tw = shape.tokenWidth();
            float[] noise = given.initialPacked() != null
                    ? java.util.Arrays.copyOfRange(given.initialPacked(), step.imageStart() * tw,
                            (step.imageStart() + step.imageLength()) * tw)
                    : SeededNoise.packedRows(r.seed(), shape, step.imageStart(), step.imageLength());
            ops.copyFromHost(step.hidden(), HostBuffers.floats(noise), DType.F32);
            ops.copy(step.encoder(), promptEmbeds.narrow(0, step.textStart(), step.textLength()));
            ops.copy(step.pooled(), pooled);
            ops.fill(step.guidance(), (float) r.guidance());
            FlowMatchSchedule schedule = FlowMatchSchedule.of(config.scheduler(), r.steps(), shape.tokens());
            float[] ts = new float[r.steps()];
            float[] dts = new float[r.steps() * tw];
            for (int i = 0; i < r.steps(); i++) {
                ts[i] = schedule.transformerTimestep(i);
                java.util.Arrays.fill(dts, i * tw, (i + 1) * tw, schedule.sigma(i + 1) - schedule.sigma(i));
            }
            Tensor timesteps = work.allocate(DType.F32, r.steps());
            ops.copyFromHost(timesteps, HostBuffers.floats(ts), DType.F32);
            Tensor deltas = work.allocate(dtype, r.steps(), tw);
            ops.copyFromHost(deltas, HostBuffers.floats(dts), DType.F32);
            // ---- denoising: x += (sigma_next - sigma) * v, on this rank's tokens ----
            double[] stepMs = new double[r.steps()];
            for (int i = 0; i < r.steps(); i++) {
                s0.record();
                ops.copy(step.timestep(), timesteps.narrow(0, i, 1));
                // The first step of a shape runs eagerly (GEMM tuning, peer windows); later ones replay its graph.
                step.run(ops, warmed.contains(step));
                warmed.add(step);
                ops.addGated(step.hidden(), step.out(), deltas.narrow(0, i, 1).view(tw));
                s1.record();
                s1.synchronize();
                stepMs[i] = s1.elapsedMs(s0);
                listener.rankStepDone(r, i + 1, r.steps());
                if (rank.leads()) {
                    listener.stepDone(r, i + 1, r.steps(), stepMs[i]);
                }
            }
            double denoiseMs = 0;
            for (double ms : stepMs) {
                denoiseMs += ms;
            }
            // ---- the latents back to the lead, and the decode ----
            float[] packed = gather(ops, group, step, shape);
            if (!rank.leads()) {
                return null;
            }
            if (trace != null) {
                trace.finalPacked = packed.clone();
            }
            t0.record();
            float[] image = decode(ops, shape, packed);
            t1.record();
            double decodeMs = t1.elapsedMs(t0);
            return new RenderedImage(r, image, ids == null ? 0 : ids.clip().truncatedTokens(),
                    ids == null ? 0 : ids.t5().truncatedTokens(),
                    new RenderTimings(tokenizeMs, encodeMs, stepMs, denoiseMs, decodeMs, 0, 0), start);
        } finally {
            work.reset(mark);
        }
    }

    /** The step of this image shape, made (with its own tensors and graph) the first time the shape comes. */
    private FluxStep stepFor(FluxLatentShape shape) {
        return steps.computeIfAbsent(shape.width() + "x" + shape.height(), k -> {
            TokenShards shards = TokenShards.of(limits.maxSequenceLength(), shape.tokens(), rank.sequenceRanks());
            Arena io = rank.backend().reserve("step io " + k, FluxStep.ioBytes(config.transformer(), shards, dtype));
            FluxStep s = FluxStep.create(rank, transformer, dtype, shards, FluxStep.textIds(limits.maxSequenceLength()),
                    FluxStep.imageIds(shape.tokenRows(), shape.tokenColumns()), io);
            stepArenas.put(s, io);
            return s;
        });
    }

    /** Every rank's latent rows, in sequence order, on the lead (the others return null). */
    private float[] gather(Ops ops, Communicator group, FluxStep step, FluxLatentShape shape) {
        if (group == null) {
            ops.synchronize();
            return ops.toFloatArray(step.hidden());
        }
        int n = rank.sequenceRanks();
        int tw = shape.tokenWidth();
        TokenShards shards = TokenShards.of(limits.maxSequenceLength(), shape.tokens(), n);
        int padded = shards.image().paddedLength();
        Tensor send = work.allocate(dtype, padded, tw);
        Tensor recv = work.allocate(dtype, (long) n * padded, tw);
        if (step.imageLength() > 0) {
            ops.copy(send.narrow(0, 0, step.imageLength()), step.hidden());
        }
        group.allGather(send, recv);
        ops.synchronize();
        if (!rank.leads()) {
            return null;
        }
        float[] all = ops.toFloatArray(recv);
        float[] out = new float[shape.tokens() * tw];
        for (int s = 0; s < n; s++) {
            System.arraycopy(all, s * padded * tw, out, shards.image().start(s) * tw, shards.image().length(s) * tw);
        }
        return out;
    }

    /**
     * FluxPipeline's {@code _unpack_latents}, {@code latents / scaling + shift} (float32, as the reference computes it
     * for float32 latents), the VAE, and {@code (x / 2 + 0.5).clamp(0, 1)}: the image {@code [H, W, 3]} in [0, 1].
     */
    private float[] decode(Ops ops, FluxLatentShape shape, float[] packed) {
        VaeConfig v = config.vae();
        int c = shape.channels();
        int h = shape.latentHeight();
        int w = shape.latentWidth();
        float[] latent = LatentPacking.unpack(packed, c, h, w);
        float scaling = (float) v.scalingFactor();
        float shift = (float) v.shiftFactor();
        float[] z = new float[latent.length];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < h * w; i++) {
                z[i * c + ch] = latent[ch * h * w + i] / scaling + shift;
            }
        }
        Tensor zt = work.allocate(dtype, h, w, c);
        ops.copyFromHost(zt, HostBuffers.floats(z), DType.F32);
        Tensor out = work.allocate(dtype, shape.height(), shape.width(), v.outChannels());
        vae.forward(ops, out, zt);
        ops.synchronize();
        float[] rgb = ops.toFloatArray(out);
        for (int i = 0; i < rgb.length; i++) {
            float x = rgb[i] * 0.5f + 0.5f;
            rgb[i] = x < 0f ? 0f : Math.min(x, 1f);
        }
        return rgb;
    }
}
