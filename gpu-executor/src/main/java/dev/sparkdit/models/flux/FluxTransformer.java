package dev.sparkdit.models.flux;

import dev.sparkdit.models.ModelParam;
import dev.sparkdit.models.ParamLoader;
import dev.sparkdit.models.RandomFill;
import dev.sparkdit.models.TensorSource;
import dev.sparkdit.ops.Activation;
import dev.sparkdit.ops.Fp8GemmUnavailableException;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;
import dev.sparkdit.usp.QkvTargets;
import dev.sparkdit.usp.SequenceAttention;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The FLUX.1 transformer (diffusers {@code FluxTransformer2DModel}), written once against {@link Ops}.
 *
 * <p>One forward runs one sample over the tokens this rank holds: its text tokens then its image
 * tokens, kept as one joint residual stream {@code [T + I, D]} whose first T rows are the text stream
 * and the rest the image stream, so single-stream blocks need no concatenation. Attention is the only
 * op that looks across tokens; it goes through the {@link SequenceAttention} seam, so sequence
 * parallelism is applied from outside and this file knows nothing of ranks. The seam also says which
 * ranks hold the same conditioning vector ({@link SequenceAttention#replicas()}), so that they can share
 * the step's modulation GEMVs ({@link ModulationTable}).
 *
 * <p>Block fields carry the checkpoint's (diffusers) names; q/k/v are fused per stream
 * (see {@link FluxCheckpointLayout}).
 */
public final class FluxTransformer {
    private final FluxConfig config;
    private final Linear xEmbedder;
    private final Linear contextEmbedder;
    private final Mlp timestepEmbedder;
    private final Mlp guidanceEmbedder;
    private final Mlp textEmbedder;
    private final DoubleStreamBlock[] transformerBlocks;
    private final SingleStreamBlock[] singleTransformerBlocks;
    private final Linear projOut;
    private final ModulationTable modulation;

    private FluxTransformer(FluxConfig config, Map<String, Tensor> p) {
        this.config = config;
        this.xEmbedder = new Linear(p, "x_embedder");
        this.contextEmbedder = new Linear(p, "context_embedder");
        this.timestepEmbedder = new Mlp(p, "time_text_embed.timestep_embedder");
        this.guidanceEmbedder = config.guidanceEmbeds() ? new Mlp(p, "time_text_embed.guidance_embedder") : null;
        this.textEmbedder = new Mlp(p, "time_text_embed.text_embedder");
        this.transformerBlocks = new DoubleStreamBlock[config.numLayers()];
        for (int i = 0; i < transformerBlocks.length; i++) {
            transformerBlocks[i] = new DoubleStreamBlock(p, "transformer_blocks." + i + ".", config);
        }
        this.singleTransformerBlocks = new SingleStreamBlock[config.numSingleLayers()];
        for (int i = 0; i < singleTransformerBlocks.length; i++) {
            singleTransformerBlocks[i] = new SingleStreamBlock(p, "single_transformer_blocks." + i + ".", config);
        }
        this.projOut = new Linear(p, "proj_out");
        List<Linear> mods = new ArrayList<>();
        for (String name : ModulationTable.linearNames(config)) {
            mods.add(new Linear(p, name));
        }
        this.modulation = new ModulationTable(mods, config.dim());
    }

    /**
     * Checks the checkpoint against the config (every missing, unexpected and mis-shaped key reported
     * at once), then loads it into {@code weights} as {@code dtype}.
     */
    public static FluxTransformer load(TensorSource source, FluxConfig config, Ops ops, Arena weights, DType dtype) {
        FluxCheckpointLayout layout = FluxCheckpointLayout.detect(source.names());
        List<ModelParam> params = layout.params(config);
        validate(source, config);
        return new FluxTransformer(config, ParamLoader.load(source, ModulationTable.modulationFirst(params, config),
                ops, weights, dtype));
    }

    /** Throws {@code CheckpointMismatchException} listing every missing, unexpected and mis-shaped key. */
    public static void validate(TensorSource source, FluxConfig config) {
        FluxCheckpointLayout layout = FluxCheckpointLayout.detect(source.names());
        ParamLoader.validate(source, layout.label(), layout.params(config));
    }

    /**
     * A model of this config with seeded random weights made on the device (benchmarks); see {@link #randomFills}.
     */
    public static FluxTransformer random(FluxConfig config, Ops ops, Arena weights, DType dtype, long seed) {
        Map<String, Tensor> p = new java.util.LinkedHashMap<>();
        for (RandomFill f : randomFills(config, seed)) {
            Tensor t = weights.allocate(dtype, f.param().shape());
            f.fill(ops, t);
            p.put(f.param().name(), t);
        }
        return new FluxTransformer(config, p);
    }

    /**
     * The values of {@link #random}, one fill per parameter in allocation order (the modulation table's linears
     * first), parameter {@code i} seeded {@code seed + i}: Linear weights and biases uniform in +-0.5/sqrt(fan_in)
     * (half of PyTorch's init, as the diffusers baseline shrinks them, to keep 57 random blocks' activations
     * finite), RMSNorm weights 1. Keys are the diffusers layout's.
     */
    public static List<RandomFill> randomFills(FluxConfig config, long seed) {
        List<RandomFill> fills = new ArrayList<>();
        long fanIn = config.dim();
        long i = 0;
        for (ModelParam mp : ModulationTable.modulationFirst(FluxCheckpointLayout.DIFFUSERS.params(config), config)) {
            if (mp.shape().length == 2) {
                fanIn = mp.shape()[1];
            }
            fills.add(mp.name().contains(".norm_") ? new RandomFill(mp, seed + i, 1f, 0f)
                    : new RandomFill(mp, seed + i, 0f, (float) (0.5 / Math.sqrt(fanIn))));
            i++;
        }
        return fills;
    }

    /** Bytes the weights take in {@code dtype} (arena alignment included). */
    public static long weightBytes(FluxConfig config, DType dtype) {
        long total = 0;
        for (ModelParam p : FluxCheckpointLayout.DIFFUSERS.params(config)) {
            long n = 1;
            for (long d : p.shape()) {
                n *= d;
            }
            total += Arena.alignUp(n * dtype.bytes());
        }
        return total;
    }

    /**
     * Room for the CUDA attention's tail-split workspace (cuda.Attention / TailSplit: up to SMs x 4 x 66 KB, 35 MB
     * on 132 SMs; 44 MB covers 160 SMs). Without it the kernels still run, with whole tiles only.
     */
    static final long ATTENTION_WORKSPACE_BYTES = 44L << 20;

    /**
     * Scratch bytes one forward needs for {@code tokens} local tokens (text + image), excluding what an
     * attention strategy adds: the joint stream plus the largest block's temporaries, with room for
     * alignment.
     */
    public static long scratchBytes(FluxConfig config, long tokens, DType dtype) {
        long d = config.dim();
        long m = config.mlpHidden();
        long perToken = d                 // joint residual stream
                + d                       // normalised input
                + 3 * d                   // fused qkv projection
                + 3 * d                   // q, k, v head-major
                + d                       // attention output
                + (d + m)                 // single block: [attention | mlp] concatenation
                + Math.max(m, d)          // feed-forward hidden / projected output
                + d;                      // projected output
        // The modulation table and this rank's share of it, for up to 64 replicas (ModulationTable).
        long table = (2L * ModulationTable.rows(config) + 64) * d;
        long vectors = 16L * d + 2L * FluxConfig.TIMESTEP_CHANNELS + table;
        return (perToken * tokens + vectors) * dtype.bytes() + (64L << 10) * 64 + (4L << 20) + ATTENTION_WORKSPACE_BYTES;
    }

    public FluxConfig config() {
        return config;
    }

    /** The transformer blocks' token-wise linears: the GEMMs that FP8 mode runs on e4m3 operands. */
    private List<Linear> blockLinears() {
        List<Linear> all = new ArrayList<>();
        for (DoubleStreamBlock b : transformerBlocks) {
            all.addAll(List.of(b.toQkv, b.addQkvProj, b.toOut, b.toAddOut, b.ffIn, b.ffOut, b.ffContextIn,
                    b.ffContextOut));
        }
        for (SingleStreamBlock b : singleTransformerBlocks) {
            all.addAll(List.of(b.toQkv, b.projMlp, b.projOut));
        }
        return all;
    }

    /** Bytes {@link #useFp8Gemms} takes for the FP8 copies of the block weights (arena alignment included). */
    public long fp8WeightBytes() {
        long total = 0;
        for (Linear l : blockLinears()) {
            total += l.fp8Bytes();
        }
        return total;
    }

    /**
     * FP8 GEMMs on ({@code on}) or off: the blocks' linears then run on e4m3 weights (quantized once, per
     * output feature, into {@code arena}, which needs {@link #fp8WeightBytes()}) and e4m3 activations
     * (quantized per token before each GEMM), accumulating in fp32. The bf16 weights stay, so the switch
     * goes both ways; the embedders, the final projection and the modulation GEMVs stay bf16. This changes
     * the numerics: callers report the error against bf16 beside the speed.
     */
    public void useFp8Gemms(Ops ops, Arena arena, boolean on) {
        for (Linear l : blockLinears()) {
            l.useFp8(ops, arena, on);
        }
    }

    /**
     * One denoising-step forward for one sample.
     *
     * <pre>
     *   out       [I, outChannels]     the predicted velocity for this rank's image tokens
     *   hidden    [I, inChannels]      packed latents
     *   encoder   [T, jointAttentionDim]
     *   pooled    [pooledProjectionDim]
     *   timestep  [1]                  in [0, 1] (the model multiplies by 1000)
     *   guidance  [1] or null          FLUX.1-dev's guidance scale (multiplied by 1000 too)
     *   cos, sin  [T + I, headDim]     rotary tables of these tokens, text first ({@link FluxRope})
     * </pre>
     */
    public void forward(Ops ops, SequenceAttention attention, Tensor out, Tensor hidden, Tensor encoder,
                        Tensor pooled, Tensor timestep, Tensor guidance, Tensor cos, Tensor sin) {
        long img = hidden.dim(0);
        long txt = encoder.dim(0);
        long d = config.dim();
        if (config.guidanceEmbeds() && guidance == null) {
            throw new IllegalArgumentException("this FLUX config has guidance_embeds=true: a guidance value is required");
        }
        if (cos.dim(0) != txt + img || sin.dim(0) != txt + img) {
            throw new IllegalArgumentException("rope tables have " + cos.dim(0) + " rows for " + txt + " text + "
                    + img + " image tokens");
        }
        Arena scratch = ops.scratch();
        long mark = scratch.mark();
        DType dt = hidden.dtype();
        Tensor joint = scratch.allocate(dt, txt + img, d);
        Tensor txtStream = joint.narrow(0, 0, txt);
        Tensor imgStream = joint.narrow(0, txt, img);
        xEmbedder.apply(ops, imgStream, hidden, Activation.NONE);
        contextEmbedder.apply(ops, txtStream, encoder, Activation.NONE);

        Tensor temb = embedConditioning(ops, pooled, timestep, guidance, dt);
        Tensor siluTemb = scratch.allocate(dt, 1, d);
        ops.activation(siluTemb, temb, Activation.SILU);

        Tensor table = modulation.compute(ops, attention.replicas(), siluTemb);
        int at = 0;
        for (DoubleStreamBlock b : transformerBlocks) {
            b.forward(ops, attention, txtStream, imgStream, modulation.of(table, at), modulation.of(table, at + 1),
                    cos, sin);
            at += 2;
        }
        for (SingleStreamBlock b : singleTransformerBlocks) {
            b.forward(ops, attention, joint, modulation.of(table, at++), cos, sin);
        }
        // AdaLayerNormContinuous: the modulation is (scale, shift), in that order.
        Tensor mod = modulation.of(table, at);
        Tensor normed = scratch.allocate(dt, img, d);
        ops.layerNormModulate(normed, imgStream, mod.narrow(1, d, d), mod.narrow(1, 0, d), FluxConfig.NORM_EPS);
        projOut.apply(ops, out, normed, Activation.NONE);
        scratch.reset(mark);
    }

    /** temb = timestep MLP + guidance MLP + pooled-text MLP (diffusers CombinedTimestep*Embeddings). */
    private Tensor embedConditioning(Ops ops, Tensor pooled, Tensor timestep, Tensor guidance, DType dt) {
        Arena scratch = ops.scratch();
        long d = config.dim();
        Tensor proj = scratch.allocate(dt, 1, FluxConfig.TIMESTEP_CHANNELS);
        Tensor temb = scratch.allocate(dt, 1, d);
        ops.timestepEmbedding(proj, timestep, 1000f);
        timestepEmbedder.apply(ops, temb, proj);
        Tensor part = scratch.allocate(dt, 1, d);
        if (guidanceEmbedder != null) {
            ops.timestepEmbedding(proj, guidance, 1000f);
            guidanceEmbedder.apply(ops, part, proj);
            ops.add(temb, temb, part);
        }
        textEmbedder.apply(ops, part, pooled.view(1, config.pooledProjectionDim()));
        ops.add(temb, temb, part);
        return temb;
    }

    // ---- blocks ----------------------------------------------------------------------------------

    /** A Linear layer: weight [out, in], bias [out]; optionally also an FP8 copy of the weight. */
    static final class Linear {
        final Tensor weight;
        final Tensor bias;
        /** e4m3 weight [out, in] and its per-row fp32 scales [out, 1]; null until {@link #useFp8}. */
        private Tensor weightFp8;
        private Tensor weightScale;
        private boolean fp8;

        Linear(Map<String, Tensor> p, String name) {
            this.weight = require(p, name + ".weight");
            this.bias = require(p, name + ".bias");
        }

        Linear(Tensor weight, Tensor bias) {
            this.weight = weight;
            this.bias = bias;
        }

        void apply(Ops ops, Tensor out, Tensor x, Activation act) {
            if (!fp8) {
                ops.linear(out, x, weight, bias, act);
                return;
            }
            Arena scratch = ops.scratch();
            long mark = scratch.mark();
            apply(ops, out, x, Fp8Rows.of(ops, x), act);
            scratch.reset(mark);
        }

        /**
         * With x also quantized ({@code xq}), for two linears that read the same input. A shape the backend
         * has no FP8 kernel for (cuBLASLt: the text stream's MLP output at 128 or 256 rows, K = 12288) runs
         * in bf16 from then on; that happens in the eager steps before any graph is captured.
         */
        void apply(Ops ops, Tensor out, Tensor x, Fp8Rows xq, Activation act) {
            if (fp8) {
                try {
                    ops.linearFp8(out, xq.q(), xq.scale(), weightFp8, weightScale, bias, act);
                    return;
                } catch (Fp8GemmUnavailableException e) {
                    fp8 = false;
                }
            }
            ops.linear(out, x, weight, bias, act);
        }

        /** What {@link #useFp8} allocates: the e4m3 weight and its fp32 scales, each arena-aligned. */
        long fp8Bytes() {
            return Arena.alignUp(weight.dim(0) * weight.dim(1) * DType.F8_E4M3.bytes())
                    + Arena.alignUp(weight.dim(0) * DType.F32.bytes());
        }

        /** Makes the FP8 copy of the weight in {@code arena} (once) and switches this layer to it or back. */
        void useFp8(Ops ops, Arena arena, boolean on) {
            if (on && weightFp8 == null) {
                long n = weight.dim(0), k = weight.dim(1);
                weightFp8 = arena.allocate(DType.F8_E4M3, n, k);
                weightScale = arena.allocate(DType.F32, n, 1);
                ops.quantizeFp8(weightFp8, weightScale, weight, (int) k);
            }
            fp8 = on;
        }

        long outFeatures() {
            return weight.dim(0);
        }
    }

    /** An activation quantized for {@link Ops#linearFp8}: e4m3 rows and one fp32 scale per row. */
    record Fp8Rows(Tensor q, Tensor scale) {
        /** Quantizes {@code x} into tensors allocated from {@code ops.scratch()} (the caller resets it). */
        static Fp8Rows of(Ops ops, Tensor x) {
            Tensor q = ops.scratch().allocate(DType.F8_E4M3, x.dim(0), x.dim(1));
            Tensor scale = ops.scratch().allocate(DType.F32, x.dim(0), 1);
            ops.quantizeFp8(q, scale, x, (int) x.dim(1));
            return new Fp8Rows(q, scale);
        }
    }

    /** linear_1 -> SiLU -> linear_2 (TimestepEmbedding, PixArtAlphaTextProjection with act "silu"). */
    static final class Mlp {
        final Linear linear1;
        final Linear linear2;

        Mlp(Map<String, Tensor> p, String name) {
            this.linear1 = new Linear(p, name + ".linear_1");
            this.linear2 = new Linear(p, name + ".linear_2");
        }

        void apply(Ops ops, Tensor out, Tensor x) {
            Arena scratch = ops.scratch();
            long mark = scratch.mark();
            Tensor h = scratch.allocate(out.dtype(), x.dim(0), linear1.outFeatures());
            linear1.apply(ops, h, x, Activation.SILU);
            linear2.apply(ops, out, h, Activation.NONE);
            scratch.reset(mark);
        }
    }

    /** The (shift, scale, gate) triples of AdaLayerNormZero, as views of one modulation row. */
    private static Tensor chunk(Tensor mod, long d, int i) {
        return mod.narrow(1, i * d, d);
    }

    /** Double-stream block (diffusers FluxTransformerBlock): text and image keep separate weights. */
    static final class DoubleStreamBlock {
        final Linear toQkv;
        final Linear addQkvProj;
        final Tensor normQ;
        final Tensor normK;
        final Tensor normAddedQ;
        final Tensor normAddedK;
        final Linear toOut;
        final Linear toAddOut;
        final Linear ffIn;
        final Linear ffOut;
        final Linear ffContextIn;
        final Linear ffContextOut;
        final int heads;
        final int headDim;

        DoubleStreamBlock(Map<String, Tensor> p, String prefix, FluxConfig c) {
            toQkv = new Linear(p, prefix + "attn.to_qkv");
            addQkvProj = new Linear(p, prefix + "attn.add_qkv_proj");
            normQ = require(p, prefix + "attn.norm_q.weight");
            normK = require(p, prefix + "attn.norm_k.weight");
            normAddedQ = require(p, prefix + "attn.norm_added_q.weight");
            normAddedK = require(p, prefix + "attn.norm_added_k.weight");
            toOut = new Linear(p, prefix + "attn.to_out.0");
            toAddOut = new Linear(p, prefix + "attn.to_add_out");
            ffIn = new Linear(p, prefix + "ff.net.0.proj");
            ffOut = new Linear(p, prefix + "ff.net.2");
            ffContextIn = new Linear(p, prefix + "ff_context.net.0.proj");
            ffContextOut = new Linear(p, prefix + "ff_context.net.2");
            heads = c.numAttentionHeads();
            headDim = c.attentionHeadDim();
        }

        /** {@code modImg}, {@code modTxt}: this block's rows of the {@link ModulationTable}, {@code [1, 6D]}. */
        void forward(Ops ops, SequenceAttention attention, Tensor txt, Tensor img, Tensor modImg, Tensor modTxt,
                     Tensor cos, Tensor sin) {
            Arena scratch = ops.scratch();
            long mark = scratch.mark();
            DType dt = img.dtype();
            long d = img.dim(1);
            long nt = txt.dim(0);
            long ni = img.dim(0);
            long s = nt + ni;
            // AdaLayerNormZero: shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp.
            // The text and image streams meet only in attention: up to it and after it, each stream's chain
            // runs beside the other's (ops.concurrently), so the text's small GEMMs fill SMs the image's
            // leave idle. Everything either chain writes is allocated here, before the forks.
            Tensor normed = scratch.allocate(dt, s, d);
            Tensor normedTxt = normed.narrow(0, 0, nt);
            Tensor normedImg = normed.narrow(0, nt, ni);
            Tensor qkv = scratch.allocate(dt, s, 3 * d);
            QkvTargets qkvHeads = attention.qkvTargets(ops, dt, heads, s, headDim);
            Tensor q = qkvHeads.q();
            Tensor k = qkvHeads.k();
            Tensor v = qkvHeads.v();
            ops.concurrently(
                    o -> {
                        o.layerNormModulate(normedImg, img, chunk(modImg, d, 0), chunk(modImg, d, 1), FluxConfig.NORM_EPS);
                        toQkv.apply(o, qkv.narrow(0, nt, ni), normedImg, Activation.NONE);
                        o.qkNormRope(qkv.narrow(0, nt, ni), normQ, normK, FluxConfig.NORM_EPS,
                                cos.narrow(0, nt, ni), sin.narrow(0, nt, ni), q, k, v, nt);
                    },
                    o -> {
                        o.layerNormModulate(normedTxt, txt, chunk(modTxt, d, 0), chunk(modTxt, d, 1), FluxConfig.NORM_EPS);
                        addQkvProj.apply(o, qkv.narrow(0, 0, nt), normedTxt, Activation.NONE);
                        o.qkNormRope(qkv.narrow(0, 0, nt), normAddedQ, normAddedK, FluxConfig.NORM_EPS,
                                cos.narrow(0, 0, nt), sin.narrow(0, 0, nt), q, k, v, 0);
                    });
            Tensor attn = scratch.allocate(dt, s, d);
            attention.attend(ops, attn, q, k, v, (float) (1.0 / Math.sqrt(headDim)));

            Tensor projected = scratch.allocate(dt, s, d);
            Tensor hidden = scratch.allocate(dt, s, ffIn.outFeatures());
            ops.concurrently(
                    o -> feedForward(o, img, attn.narrow(0, nt, ni), modImg, toOut, ffIn, ffOut,
                            projected.narrow(0, nt, ni), normedImg, hidden.narrow(0, nt, ni), d),
                    o -> feedForward(o, txt, attn.narrow(0, 0, nt), modTxt, toAddOut, ffContextIn, ffContextOut,
                            projected.narrow(0, 0, nt), normedTxt, hidden.narrow(0, 0, nt), d));
            scratch.reset(mark);
        }

        /**
         * One stream's half after attention: {@code x += gate_msa * out(attn)}, then
         * {@code x += gate_mlp * ff(LN(x) * (1 + scale_mlp) + shift_mlp)}.
         */
        private static void feedForward(Ops o, Tensor x, Tensor attn, Tensor mod, Linear out, Linear ffIn, Linear ffOut,
                                        Tensor projected, Tensor normed, Tensor hidden, long d) {
            out.apply(o, projected, attn, Activation.NONE);
            o.addGated(x, projected, chunk(mod, d, 2));
            o.layerNormModulate(normed, x, chunk(mod, d, 3), chunk(mod, d, 4), FluxConfig.NORM_EPS);
            ffIn.apply(o, hidden, normed, Activation.GELU_TANH);
            ffOut.apply(o, projected, hidden, Activation.NONE);
            o.addGated(x, projected, chunk(mod, d, 5));
        }
    }

    /** Single-stream block (diffusers FluxSingleTransformerBlock): parallel attention and MLP. */
    static final class SingleStreamBlock {
        final Linear toQkv;
        final Tensor normQ;
        final Tensor normK;
        final Linear projMlp;
        final Linear projOut;
        final int heads;
        final int headDim;

        SingleStreamBlock(Map<String, Tensor> p, String prefix, FluxConfig c) {
            toQkv = new Linear(p, prefix + "attn.to_qkv");
            normQ = require(p, prefix + "attn.norm_q.weight");
            normK = require(p, prefix + "attn.norm_k.weight");
            projMlp = new Linear(p, prefix + "proj_mlp");
            projOut = new Linear(p, prefix + "proj_out");
            heads = c.numAttentionHeads();
            headDim = c.attentionHeadDim();
        }

        /** {@code mod}: this block's rows of the {@link ModulationTable}, {@code [1, 3D]}. */
        void forward(Ops ops, SequenceAttention attention, Tensor joint, Tensor mod, Tensor cos, Tensor sin) {
            Arena scratch = ops.scratch();
            long mark = scratch.mark();
            DType dt = joint.dtype();
            long s = joint.dim(0);
            long d = joint.dim(1);
            long m = projMlp.outFeatures();
            // AdaLayerNormZeroSingle: shift, scale, gate.
            Tensor normed = scratch.allocate(dt, s, d);
            ops.layerNormModulate(normed, joint, chunk(mod, d, 0), chunk(mod, d, 1), FluxConfig.NORM_EPS);

            Tensor qkv = scratch.allocate(dt, s, 3 * d);
            // [attention output | gelu(mlp)] side by side, so proj_out is one GEMM over the concatenation.
            Tensor cat = scratch.allocate(dt, s, d + m);
            if (toQkv.fp8 && projMlp.fp8) {
                Fp8Rows x = Fp8Rows.of(ops, normed); // read by both: quantized once
                toQkv.apply(ops, qkv, normed, x, Activation.NONE);
                projMlp.apply(ops, cat.narrow(1, d, m), normed, x, Activation.GELU_TANH);
            } else {
                toQkv.apply(ops, qkv, normed, Activation.NONE);
                projMlp.apply(ops, cat.narrow(1, d, m), normed, Activation.GELU_TANH);
            }
            QkvTargets qkvHeads = attention.qkvTargets(ops, dt, heads, s, headDim);
            Tensor q = qkvHeads.q();
            Tensor k = qkvHeads.k();
            Tensor v = qkvHeads.v();
            ops.qkNormRope(qkv, normQ, normK, FluxConfig.NORM_EPS, cos, sin, q, k, v, 0);
            // The attention output lands straight in the left-hand columns (a row-strided view).
            attention.attend(ops, cat.narrow(1, 0, d), q, k, v, (float) (1.0 / Math.sqrt(headDim)));

            Tensor projected = scratch.allocate(dt, s, d);
            projOut.apply(ops, projected, cat, Activation.NONE);
            ops.addGated(joint, projected, chunk(mod, d, 2));
            scratch.reset(mark);
        }
    }

    private static Tensor require(Map<String, Tensor> p, String name) {
        Tensor t = p.get(name);
        if (t == null) {
            throw new IllegalStateException("FLUX parameter " + name + " was not loaded");
        }
        return t;
    }
}
