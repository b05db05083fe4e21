package dev.sparkdit.runner;

import dev.sparkdit.backend.StepGraphs;
import dev.sparkdit.models.flux.FluxConfig;
import dev.sparkdit.models.flux.FluxRope;
import dev.sparkdit.models.flux.FluxTransformer;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;
import dev.sparkdit.usp.ParallelPlan;
import dev.sparkdit.usp.SequenceAttention;
import dev.sparkdit.usp.SequenceScratch;

/**
 * One rank's share of FLUX denoising steps of one shape: the rank's slice of the text and image tokens
 * ({@link TokenShards}), its input and output tensors, its rotary tables and the captured step. Callers fill
 * the inputs (latents, text states, pooled vector, timestep, guidance), {@link #run} the step and read
 * {@link #out()}; the step is captured as a CUDA graph on its first run and replayed after (on backends with
 * graphs), so it must see its per-step values through these tensors, never as new allocations.
 *
 * <pre>
 *   hidden    [I_r, inChannels]         this rank's packed latent tokens
 *   encoder   [T_r, jointAttentionDim]  this rank's T5 states
 *   pooled    [pooledProjectionDim]     the CLIP pooled vector (every rank holds all of it)
 *   timestep  [1] fp32                  sigma (the model multiplies by 1000)
 *   guidance  [1] fp32                  FLUX.1-dev's guidance scale; unused by schnell
 *   out       [I_r, outChannels]        the predicted velocity of this rank's image tokens
 * </pre>
 */
public final class FluxStep implements AutoCloseable {
    private final FluxTransformer model;
    private final SequenceAttention attention;
    private final StepGraphs graphs;
    private final int textStart;
    private final int textLength;
    private final int imageStart;
    private final int imageLength;
    private final Tensor hidden;
    private final Tensor encoder;
    private final Tensor pooled;
    private final Tensor timestep;
    private final Tensor guidance;
    private final Tensor out;
    private final FluxRope.Tables rope;

    private FluxStep(Rank rank, FluxTransformer model, DType dtype, TokenShards shards, float[] textIds,
                     float[] imageIds, Arena io) {
        FluxConfig cfg = model.config();
        int s = rank.sequenceIndex();
        this.model = model;
        this.attention = rank.attention(shards.lengths());
        this.textStart = shards.text().start(s);
        this.textLength = shards.text().length(s);
        this.imageStart = shards.image().start(s);
        this.imageLength = shards.image().length(s);
        Ops ops = rank.ops();
        this.hidden = io.allocate(dtype, imageLength, cfg.inChannels());
        this.encoder = io.allocate(dtype, textLength, cfg.jointAttentionDim());
        this.pooled = io.allocate(dtype, cfg.pooledProjectionDim());
        // Scalars stay fp32 whatever the compute dtype: t x 1000 feeds sinusoids whose fastest frequency is
        // 1 rad per unit, so a bf16-rounded t (0.4% steps) would scramble them.
        this.timestep = io.allocate(DType.F32, 1);
        this.guidance = io.allocate(DType.F32, 1);
        this.out = io.allocate(dtype, imageLength, cfg.outChannels());
        int axes = cfg.axesDimsRope().length;
        int local = textLength + imageLength;
        float[] ids = new float[local * axes];
        System.arraycopy(textIds, textStart * axes, ids, 0, textLength * axes);
        System.arraycopy(imageIds, imageStart * axes, ids, textLength * axes, imageLength * axes);
        this.rope = FluxRope.upload(ops, io, cfg.axesDimsRope(), ids, local);
        ops.fill(guidance, 0f);
        this.graphs = rank.backend().stepGraphs();
    }

    /**
     * This rank's step of {@code model} over {@code shards}, its tensors taken from {@code io} (which needs
     * {@link #ioBytes} free).
     *
     * @param textIds  {@code [T, 3]} positions of all text tokens (FLUX: zeros), row-major
     * @param imageIds {@code [I, 3]} positions of all image tokens (FLUX: (0, row, column) of the packed grid)
     */
    public static FluxStep create(Rank rank, FluxTransformer model, DType dtype, TokenShards shards, float[] textIds,
                                  float[] imageIds, Arena io) {
        int axes = model.config().axesDimsRope().length;
        if (textIds.length != shards.textTokens() * axes || imageIds.length != shards.imageTokens() * axes) {
            throw new IllegalArgumentException("position ids: " + textIds.length / axes + " text and "
                    + imageIds.length / axes + " image rows for " + shards.textTokens() + " + " + shards.imageTokens()
                    + " tokens");
        }
        if (shards.ranks() != rank.sequenceRanks()) {
            throw new IllegalArgumentException(shards.ranks() + " token shards for " + rank.sequenceRanks() + " ranks");
        }
        return new FluxStep(rank, model, dtype, shards, textIds, imageIds, io);
    }

    /** Text ids of FLUX: every text token at position (0, 0, 0). */
    public static float[] textIds(int tokens) {
        return new float[tokens * 3];
    }

    /** Image ids of FLUX's packed grid of {@code rows x cols} tokens: token i at (0, i / cols, i % cols). */
    public static float[] imageIds(int rows, int cols) {
        float[] ids = new float[rows * cols * 3];
        for (int i = 0; i < rows * cols; i++) {
            ids[i * 3 + 1] = i / cols;
            ids[i * 3 + 2] = i % cols;
        }
        return ids;
    }

    /** Bytes {@link #create} takes from its io arena for this rank's share (the longest share, alignment included). */
    public static long ioBytes(FluxConfig cfg, TokenShards shards, DType dtype) {
        long img = shards.image().paddedLength();
        long txt = shards.text().paddedLength();
        long headDim = cfg.attentionHeadDim();
        return Arena.alignUp(img * cfg.inChannels() * dtype.bytes())
                + Arena.alignUp(txt * cfg.jointAttentionDim() * dtype.bytes())
                + Arena.alignUp((long) cfg.pooledProjectionDim() * dtype.bytes())
                + 2 * Arena.ALIGNMENT
                + Arena.alignUp(img * cfg.outChannels() * dtype.bytes())
                + 2 * Arena.alignUp((txt + img) * headDim * 4);
    }

    /**
     * Scratch a rank needs to run this step: the model's temporaries for its longest share plus what the
     * plan's sequence-parallel attention allocates per call.
     */
    public static long scratchBytes(FluxConfig cfg, TokenShards shards, ParallelPlan plan, DType dtype) {
        return FluxTransformer.scratchBytes(cfg, shards.paddedTokens(), dtype)
                + SequenceScratch.bytes(plan.ulysses(), plan.ring(), shards.lengths(), cfg.numAttentionHeads(),
                cfg.attentionHeadDim());
    }

    /** One forward over the inputs as they are now; through the step graph when {@code captured}. */
    public void run(Ops ops, boolean captured) {
        if (captured) {
            graphs.run(this, () -> forward(ops));
        } else {
            forward(ops);
        }
    }

    private void forward(Ops ops) {
        model.forward(ops, attention, out, hidden, encoder, pooled, timestep,
                model.config().guidanceEmbeds() ? guidance : null, rope.cos(), rope.sin());
    }

    public Tensor hidden() {
        return hidden;
    }

    public Tensor encoder() {
        return encoder;
    }

    public Tensor pooled() {
        return pooled;
    }

    public Tensor timestep() {
        return timestep;
    }

    public Tensor guidance() {
        return guidance;
    }

    public Tensor out() {
        return out;
    }

    public int textStart() {
        return textStart;
    }

    public int textLength() {
        return textLength;
    }

    public int imageStart() {
        return imageStart;
    }

    public int imageLength() {
        return imageLength;
    }

    public FluxTransformer model() {
        return model;
    }

    @Override
    public void close() {
        graphs.close();
    }
}
