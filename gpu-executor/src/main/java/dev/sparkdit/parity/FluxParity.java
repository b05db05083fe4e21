package dev.sparkdit.parity;

import dev.sparkdit.backend.Backends;
import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.models.SafetensorsCheckpoint;
import dev.sparkdit.models.flux.FluxConfig;
import dev.sparkdit.models.flux.FluxRope;
import dev.sparkdit.models.flux.FluxTransformer;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.safetensors.SafetensorsEntry;
import dev.sparkdit.safetensors.SafetensorsFile;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;
import dev.sparkdit.usp.LocalAttention;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Runs a FLUX transformer case: loads the config and weights, feeds the case's inputs through
 * {@link FluxTransformer#forward} sample by sample and compares with the reference's {@code output}.
 * The CLI's {@code parity} command and the tests both come through here.
 */
public final class FluxParity {
    private FluxParity() {
    }

    public static List<ParityResult> run(ParityCase c, ParityOptions opt) throws IOException {
        float[] actual = forward(c, opt);
        float[] expected;
        try (SafetensorsFile io = SafetensorsFile.open(c.io())) {
            if (!io.contains("output")) {
                throw new IllegalArgumentException(c.io() + " has no expected 'output' tensor");
            }
            expected = floats(io, "output");
        }
        ErrorStats err = ErrorStats.of(actual, expected);
        return List.of(new ParityResult(c.name(), "output", opt.backend(), opt.dtype().name().toLowerCase(),
                opt.parallelLabel(), err, opt.effectiveTolerance()));
    }

    /** Runs the case's inputs through the model; returns {@code output} for every sample, as fp32. */
    public static float[] forward(ParityCase c, ParityOptions opt) throws IOException {
        FluxConfig config = FluxConfig.fromDiffusers(c.config());
        if (opt.ranks() != 1) {
            throw new UnsupportedOperationException("sharded parity (--ranks " + opt.ranks()
                    + ") is not available in this build");
        }
        try (SafetensorsFile io = SafetensorsFile.open(c.io());
             SafetensorsCheckpoint weights = SafetensorsCheckpoint.open(c.weights())) {
            Inputs in = Inputs.read(io, config);
            DType dt = opt.dtype();
            long scratch = FluxTransformer.scratchBytes(config, in.txt + in.img, dt);
            try (ComputeBackend backend = Backends.create(opt.backend(), 0, scratch)) {
                Ops ops = backend.ops();
                Arena weightArena = backend.reserve("weights", FluxTransformer.weightBytes(config, dt));
                FluxTransformer model = FluxTransformer.load(weights, config, ops, weightArena, dt);
                return forwardAll(ops, backend, model, io, in, dt);
            }
        }
    }

    private static float[] forwardAll(Ops ops, ComputeBackend backend, FluxTransformer model, SafetensorsFile io,
                                      Inputs in, DType dt) throws IOException {
        FluxConfig cfg = model.config();
        long bytes = Arena.alignUp((long) in.batch * in.img * (cfg.inChannels() + cfg.outChannels()) * dt.bytes())
                + Arena.alignUp((long) in.batch * in.txt * cfg.jointAttentionDim() * dt.bytes())
                + Arena.alignUp((long) in.batch * cfg.pooledProjectionDim() * dt.bytes())
                + 2L * (in.txt + in.img) * cfg.attentionHeadDim() * 4 + 64L * Arena.ALIGNMENT + 4L * in.batch * 4;
        Arena arena = backend.reserve("inputs", bytes);
        Tensor hidden = upload(ops, arena, io, "hidden_states", dt, in.batch, in.img, cfg.inChannels());
        Tensor encoder = upload(ops, arena, io, "encoder_hidden_states", dt, in.batch, in.txt, cfg.jointAttentionDim());
        Tensor pooled = upload(ops, arena, io, "pooled_projections", dt, in.batch, cfg.pooledProjectionDim());
        // Scalars stay fp32 whatever the compute dtype: t x 1000 feeds sinusoids whose fastest
        // frequency is 1 rad per unit, so a bf16-rounded t (0.4% steps) would scramble them.
        Tensor timestep = upload(ops, arena, io, "timestep", DType.F32, in.batch);
        Tensor guidance = cfg.guidanceEmbeds() ? upload(ops, arena, io, "guidance", DType.F32, in.batch) : null;
        float[] ids = new float[(in.txt + in.img) * 3];
        System.arraycopy(in.txtIds, 0, ids, 0, in.txtIds.length);
        System.arraycopy(in.imgIds, 0, ids, in.txtIds.length, in.imgIds.length);
        float[][] rope = FluxRope.tables(cfg.axesDimsRope(), ids, in.txt + in.img);
        Tensor cos = arena.allocate(DType.F32, in.txt + in.img, cfg.attentionHeadDim());
        Tensor sin = arena.allocate(DType.F32, in.txt + in.img, cfg.attentionHeadDim());
        ops.copyFromHost(cos, floatBytes(rope[0]), DType.F32);
        ops.copyFromHost(sin, floatBytes(rope[1]), DType.F32);
        Tensor out = arena.allocate(dt, in.batch, in.img, cfg.outChannels());
        for (int b = 0; b < in.batch; b++) {
            model.forward(ops, LocalAttention.INSTANCE, row(out, b), row(hidden, b), row(encoder, b),
                    row(pooled, b), timestep.narrow(0, b, 1), guidance == null ? null : guidance.narrow(0, b, 1),
                    cos, sin);
        }
        ops.synchronize();
        return ops.toFloatArray(out);
    }

    /** Sample b of a batch-first tensor, without the batch dimension. */
    private static Tensor row(Tensor t, int b) {
        long[] s = t.shape();
        long[] rest = java.util.Arrays.copyOfRange(s, 1, s.length);
        return t.narrow(0, b, 1).view(rest);
    }

    private static Tensor upload(Ops ops, Arena arena, SafetensorsFile io, String name, DType dt, long... shape)
            throws IOException {
        SafetensorsEntry e = io.entry(name);
        Tensor t = arena.allocate(dt, shape);
        if (e.numel() != t.numel()) {
            throw new IllegalArgumentException(io.path() + ": input " + name + " has shape "
                    + java.util.Arrays.toString(e.shape()) + ", expected " + java.util.Arrays.toString(shape));
        }
        ops.copyFromHost(t, io.data(name), e.dtype());
        return t;
    }

    static float[] floats(SafetensorsFile io, String name) throws IOException {
        SafetensorsEntry e = io.entry(name);
        ByteBuffer b = io.data(name).order(ByteOrder.LITTLE_ENDIAN);
        float[] r = new float[Math.toIntExact(e.numel())];
        switch (e.dtype()) {
            case F32 -> b.asFloatBuffer().get(r);
            case F64 -> {
                for (int i = 0; i < r.length; i++) {
                    r[i] = (float) b.getDouble(i * 8);
                }
            }
            default -> throw new IllegalArgumentException(io.path() + ": " + name + " is " + e.dtype()
                    + "; expected F32 or F64");
        }
        return r;
    }

    private static ByteBuffer floatBytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocateDirect(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b;
    }

    /** Input sizes read off io.safetensors, checked against the config. */
    private record Inputs(int batch, int img, int txt, float[] imgIds, float[] txtIds) {
        static Inputs read(SafetensorsFile io, FluxConfig cfg) throws IOException {
            long[] hs = io.entry("hidden_states").shape();
            long[] es = io.entry("encoder_hidden_states").shape();
            if (hs.length != 3 || hs[2] != cfg.inChannels()) {
                throw new IllegalArgumentException(io.path() + ": hidden_states " + java.util.Arrays.toString(hs)
                        + " should be [batch, image tokens, " + cfg.inChannels() + "]");
            }
            if (es.length != 3 || es[0] != hs[0] || es[2] != cfg.jointAttentionDim()) {
                throw new IllegalArgumentException(io.path() + ": encoder_hidden_states " + java.util.Arrays.toString(es)
                        + " should be [" + hs[0] + ", text tokens, " + cfg.jointAttentionDim() + "]");
            }
            int img = Math.toIntExact(hs[1]);
            int txt = Math.toIntExact(es[1]);
            float[] imgIds = ids(io, "img_ids", img);
            float[] txtIds = ids(io, "txt_ids", txt);
            return new Inputs(Math.toIntExact(hs[0]), img, txt, imgIds, txtIds);
        }

        /** Position ids [S, 3] (or diffusers' deprecated [1, S, 3]). */
        private static float[] ids(SafetensorsFile io, String name, int tokens) throws IOException {
            long[] s = io.entry(name).shape();
            long n = io.entry(name).numel();
            if (s[s.length - 1] != 3 || n != tokens * 3L) {
                throw new IllegalArgumentException(io.path() + ": " + name + " " + java.util.Arrays.toString(s)
                        + " should be [" + tokens + ", 3]");
            }
            return floats(io, name);
        }
    }
}
