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
import dev.sparkdit.runner.ChildRanks;
import dev.sparkdit.runner.RankBody;
import dev.sparkdit.runner.SequenceParallelGroup;
import dev.sparkdit.usp.comm.TcpRendezvous;
import dev.sparkdit.usp.Fp8Communication;
import dev.sparkdit.usp.LocalAttention;
import dev.sparkdit.usp.ParallelPlan;
import dev.sparkdit.usp.SequenceAttention;
import dev.sparkdit.usp.SequenceSplit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
        Inputs in;
        try (SafetensorsFile io = SafetensorsFile.open(c.io())) {
            in = Inputs.read(io, config);
        }
        DType dt = opt.dtype();
        if (opt.ranks() == 1) {
            long scratch = FluxTransformer.scratchBytes(config, in.txt + in.img, dt);
            try (ComputeBackend backend = Backends.create(opt.backend(), 0, scratch)) {
                return forwardRank(c, config, in, backend, LocalAttention.INSTANCE, opt, 0, in.txt, 0, in.img);
            }
        }
        Shards sh = Shards.of(config, in, opt);
        List<float[]> parts;
        try {
            parts = opt.processes() ? runProcesses(c, opt, config, in, sh) : SequenceParallelGroup.run(sh.plan,
                    opt.backend(), sh.scratch, sh.lengths, Fp8Communication.of(opt.fp8()), TIMEOUT,
                    sh.body(c, config, in, opt));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("sharded run failed: " + e, e);
        }
        // Image rows come back per rank; put them in sequence order, sample by sample.
        int n = opt.ranks();
        int co = config.outChannels();
        float[] out = new float[in.batch * in.img * co];
        for (int rank = 0; rank < n; rank++) {
            int s = sh.plan.placement(rank).sequenceIndex(opt.ulysses());
            float[] part = parts.get(rank);
            int rows = sh.img.length(s);
            for (int b = 0; b < in.batch; b++) {
                System.arraycopy(part, b * rows * co, out, (b * in.img + sh.img.start(s)) * co, rows * co);
            }
        }
        return out;
    }

    static final Duration TIMEOUT = Duration.ofSeconds(120);

    /** How a case's tokens spread over the ranks, and what each rank runs. */
    private record Shards(ParallelPlan plan, SequenceSplit txt, SequenceSplit img, int[] lengths, long scratch) {
        static Shards of(FluxConfig config, Inputs in, ParityOptions opt) {
            int n = opt.ranks();
            ParallelPlan plan = ParallelPlan.of(n, opt.ulysses(), opt.ring(), n);
            SequenceSplit txt = SequenceSplit.of(in.txt, n);
            SequenceSplit img = SequenceSplit.of(in.img, n);
            long tokens = txt.paddedLength() + img.paddedLength();
            // The strategies' buffers: padded q/k/v and outputs, send and receive sides, fp32 partials.
            long scratch = FluxTransformer.scratchBytes(config, tokens, opt.dtype())
                    + 16L * (in.txt + in.img + 2L * n) * config.dim() * 4 + (16L << 20);
            return new Shards(plan, txt, img, SequenceSplit.localLengths(txt, img), scratch);
        }

        RankBody<float[]> body(ParityCase c, FluxConfig config, Inputs in, ParityOptions opt) {
            return (me, backend, attention) -> {
                int s = me.sequenceIndex(opt.ulysses());
                return forwardRank(c, config, in, backend, attention, opt, txt.start(s), txt.length(s),
                        img.start(s), img.length(s));
            };
        }
    }

    /** Rank 0 here, ranks 1..N-1 as child JVMs running {@code parity-rank}; rendezvous over TCP. */
    private static List<float[]> runProcesses(ParityCase c, ParityOptions opt, FluxConfig config, Inputs in,
                                              Shards sh) throws Exception {
        Path dir = Files.createTempDirectory("sparkdit-ranks");
        try (TcpRendezvous rendezvous = TcpRendezvous.serve("127.0.0.1", 0, 0, TIMEOUT);
             ChildRanks children = ChildRanks.start(opt.ranks(), rank -> rankArgs(c, opt, rank,
                     "127.0.0.1:" + rendezvous.port(), dir.resolve("rank-" + rank + ".f32")))) {
            List<float[]> parts = new ArrayList<>();
            parts.add(SequenceParallelGroup.runRank(sh.plan, sh.plan.placement(0), opt.backend(), sh.scratch,
                    sh.lengths, Fp8Communication.of(opt.fp8()), rendezvous, TIMEOUT, sh.body(c, config, in, opt), null));
            children.await(TIMEOUT);
            for (int rank = 1; rank < opt.ranks(); rank++) {
                parts.add(readFloats(dir.resolve("rank-" + rank + ".f32")));
            }
            return parts;
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static List<String> rankArgs(ParityCase c, ParityOptions opt, int rank, String rendezvous, Path out) {
        List<String> a = new ArrayList<>(List.of("parity-rank", "--case", c.dir().toString(), "--backend",
                opt.backend(), "--dtype", opt.dtype().name(), "--ranks", "" + opt.ranks(), "--ulysses",
                "" + opt.ulysses(), "--ring", "" + opt.ring(), "--rank", "" + rank, "--rendezvous", rendezvous,
                "--out", out.toString()));
        if (opt.fp8()) {
            a.add("--fp8");
        }
        if (opt.fp8Gemm()) {
            a.add("--fp8-gemm");
        }
        return a;
    }

    /**
     * One rank of a multi-process run (the {@code parity-rank} command): joins the rendezvous at
     * {@code host:port}, runs its tokens, writes its image rows (fp32, little-endian) to {@code out}.
     */
    public static void runChildRank(ParityCase c, ParityOptions opt, int rank, String hostPort, Path out)
            throws Exception {
        FluxConfig config = FluxConfig.fromDiffusers(c.config());
        Inputs in;
        try (SafetensorsFile io = SafetensorsFile.open(c.io())) {
            in = Inputs.read(io, config);
        }
        Shards sh = Shards.of(config, in, opt);
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("rendezvous must be host:port, got '" + hostPort + "'");
        }
        try (TcpRendezvous rendezvous = TcpRendezvous.connect(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1)), rank, TIMEOUT)) {
            float[] rows = SequenceParallelGroup.runRank(sh.plan, sh.plan.placement(rank), opt.backend(), sh.scratch,
                    sh.lengths, Fp8Communication.of(opt.fp8()), rendezvous, TIMEOUT, sh.body(c, config, in, opt),
                    null);
            ByteBuffer b = ByteBuffer.allocate(rows.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(rows);
            Path tmp = out.resolveSibling(out.getFileName() + ".part");
            Files.write(tmp, b.array());
            Files.move(tmp, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static float[] readFloats(Path p) throws IOException {
        byte[] bytes = Files.readAllBytes(p);
        float[] r = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(r);
        return r;
    }

    /** One rank: loads the model, runs its text and image rows of every sample, returns its image rows. */
    private static float[] forwardRank(ParityCase c, FluxConfig cfg, Inputs in, ComputeBackend backend,
                                       SequenceAttention attention, ParityOptions opt, int txtStart, int txtLen,
                                       int imgStart, int imgLen) throws IOException {
        Ops ops = backend.ops();
        DType dt = opt.dtype();
        try (SafetensorsFile io = SafetensorsFile.open(c.io());
             SafetensorsCheckpoint weights = SafetensorsCheckpoint.open(c.weights())) {
            Arena weightArena = backend.reserve("weights", FluxTransformer.weightBytes(cfg, dt));
            FluxTransformer model = FluxTransformer.load(weights, cfg, ops, weightArena, dt);
            if (opt.fp8Gemm()) {
                model.useFp8Gemms(ops, backend.reserve("fp8 weights", model.fp8WeightBytes()), true);
            }
            long bytes = Arena.alignUp((long) in.batch * in.img * (cfg.inChannels() + cfg.outChannels()) * dt.bytes())
                    + Arena.alignUp((long) in.batch * in.txt * cfg.jointAttentionDim() * dt.bytes())
                    + Arena.alignUp((long) in.batch * cfg.pooledProjectionDim() * dt.bytes())
                    + 2L * (in.txt + in.img) * cfg.attentionHeadDim() * 4 + 64L * Arena.ALIGNMENT + 4L * in.batch * 4;
            Arena arena = backend.reserve("inputs", bytes);
            Tensor hidden = upload(ops, arena, io, "hidden_states", dt, in.batch, in.img, cfg.inChannels());
            Tensor encoder = upload(ops, arena, io, "encoder_hidden_states", dt, in.batch, in.txt,
                    cfg.jointAttentionDim());
            Tensor pooled = upload(ops, arena, io, "pooled_projections", dt, in.batch, cfg.pooledProjectionDim());
            // Scalars stay fp32 whatever the compute dtype: t x 1000 feeds sinusoids whose fastest
            // frequency is 1 rad per unit, so a bf16-rounded t (0.4% steps) would scramble them.
            Tensor timestep = upload(ops, arena, io, "timestep", DType.F32, in.batch);
            Tensor guidance = cfg.guidanceEmbeds() ? upload(ops, arena, io, "guidance", DType.F32, in.batch) : null;
            int local = txtLen + imgLen;
            float[] ids = new float[local * 3];
            System.arraycopy(in.txtIds, txtStart * 3, ids, 0, txtLen * 3);
            System.arraycopy(in.imgIds, imgStart * 3, ids, txtLen * 3, imgLen * 3);
            FluxRope.Tables rope = FluxRope.upload(ops, arena, cfg.axesDimsRope(), ids, local);
            Tensor out = arena.allocate(dt, in.batch, imgLen, cfg.outChannels());
            for (int b = 0; b < in.batch; b++) {
                model.forward(ops, attention, row(out, b), row(hidden, b).narrow(0, imgStart, imgLen),
                        row(encoder, b).narrow(0, txtStart, txtLen), row(pooled, b), timestep.narrow(0, b, 1),
                        guidance == null ? null : guidance.narrow(0, b, 1), rope.cos(), rope.sin());
            }
            ops.synchronize();
            return ops.toFloatArray(out);
        }
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
