package dev.sparkdit.parity;

import dev.sparkdit.models.SafetensorsCheckpoint;
import dev.sparkdit.models.flux.FluxConfig;
import dev.sparkdit.models.flux.FluxTransformer;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.runner.ChildRanks;
import dev.sparkdit.runner.FluxStep;
import dev.sparkdit.runner.Rank;
import dev.sparkdit.runner.RankBody;
import dev.sparkdit.runner.RankGroup;
import dev.sparkdit.runner.TokenShards;
import dev.sparkdit.safetensors.SafetensorsFile;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.HostBuffers;
import dev.sparkdit.usp.ParallelPlan;
import dev.sparkdit.usp.comm.TcpRendezvous;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a FLUX transformer case through the runner ({@link RankGroup}, {@link FluxStep}): every rank loads the
 * case's weights, takes its slice of the case's tokens sample by sample, and the image rows come back in
 * sequence order to be compared with the reference's {@code output}. The CLI's {@code parity} command and the
 * tests both come through here.
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
        Inputs in = Inputs.read(c);
        Setup set = Setup.of(in, opt);
        List<float[]> parts;
        try {
            parts = opt.processes() ? runProcesses(c, opt, set) : RankGroup.runThreads(set.plan, opt.run(), set.scratch,
                    body(c, in, opt, set));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("parity run failed: " + e, e);
        }
        // Image rows come back per rank; put them in sequence order, sample by sample.
        int co = in.config.outChannels();
        float[] out = new float[in.batch * in.img * co];
        for (int rank = 0; rank < opt.ranks(); rank++) {
            int s = set.plan.placement(rank).sequenceIndex(opt.ulysses());
            float[] part = parts.get(rank);
            int rows = set.shards.image().length(s);
            for (int b = 0; b < in.batch; b++) {
                System.arraycopy(part, b * rows * co, out, (b * in.img + set.shards.image().start(s)) * co, rows * co);
            }
        }
        return out;
    }

    /** The plan, the token split and the scratch every rank of a run needs, computed alike on each. */
    private record Setup(ParallelPlan plan, TokenShards shards, long scratch) {
        static Setup of(Inputs in, ParityOptions opt) {
            int n = opt.ranks();
            ParallelPlan plan = ParallelPlan.of(n, opt.ulysses(), opt.ring(), n);
            TokenShards shards = TokenShards.of(in.txt, in.img, n);
            return new Setup(plan, shards, FluxStep.scratchBytes(in.config, shards, plan, opt.dtype()));
        }
    }

    /** Rank 0 here, ranks 1..N-1 as child JVMs running {@code parity-rank}; rendezvous over TCP. */
    private static List<float[]> runProcesses(ParityCase c, ParityOptions opt, Setup set) throws Exception {
        Path dir = Files.createTempDirectory("sparkdit-ranks");
        Inputs in = Inputs.read(c);
        try (TcpRendezvous rendezvous = TcpRendezvous.serve("127.0.0.1", 0, 0, opt.run().collectiveTimeout());
             ChildRanks children = ChildRanks.start(opt.ranks(), rank -> rankArgs(c, opt, rank,
                     "127.0.0.1:" + rendezvous.port(), dir.resolve("rank-" + rank + ".f32")))) {
            List<float[]> parts = new ArrayList<>();
            parts.add(RankGroup.runOne(set.plan, 0, 0, opt.run(), set.scratch, rendezvous, body(c, in, opt, set)));
            children.await(opt.run().collectiveTimeout());
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
        List<String> a = new ArrayList<>(List.of("parity-rank", "--case", c.dir().toString(), "--ranks",
                "" + opt.ranks(), "--ulysses", "" + opt.ulysses(), "--ring", "" + opt.ring(), "--rank", "" + rank,
                "--rendezvous", rendezvous, "--out", out.toString()));
        // Every run option travels, so that a child rank runs exactly as the threads would.
        opt.run().toMap().forEach((k, v) -> a.addAll(List.of("--conf", k + "=" + v)));
        return a;
    }

    /**
     * One rank of a multi-process run (the {@code parity-rank} command): joins the rendezvous at
     * {@code host:port}, runs its tokens, writes its image rows (fp32, little-endian) to {@code out}.
     */
    public static void runChildRank(ParityCase c, ParityOptions opt, int rank, String hostPort, Path out)
            throws Exception {
        Inputs in = Inputs.read(c);
        Setup set = Setup.of(in, opt);
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("rendezvous must be host:port, got '" + hostPort + "'");
        }
        try (TcpRendezvous rendezvous = TcpRendezvous.connect(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1)), rank, opt.run().collectiveTimeout())) {
            float[] rows = RankGroup.runOne(set.plan, rank, set.plan.placement(rank).localGpu(), opt.run(), set.scratch,
                    rendezvous, body(c, in, opt, set));
            ByteBuffer b = ByteBuffer.allocate(rows.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(rows);
            Path tmp = out.resolveSibling(out.getFileName() + ".part");
            Files.write(tmp, b.array());
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static float[] readFloats(Path p) throws IOException {
        byte[] bytes = Files.readAllBytes(p);
        float[] r = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(r);
        return r;
    }

    /** One rank: loads the model, runs its text and image rows of every sample, returns its image rows. */
    private static RankBody<float[]> body(ParityCase c, Inputs in, ParityOptions opt, Setup set) {
        return rank -> {
            Ops ops = rank.ops();
            DType dt = opt.dtype();
            FluxConfig cfg = in.config;
            FluxTransformer model;
            try (SafetensorsCheckpoint weights = SafetensorsCheckpoint.open(c.requireWeights())) {
                model = FluxTransformer.load(weights, cfg, ops, rank.backend().reserve("weights",
                        FluxTransformer.weightBytes(cfg, dt)), dt);
            }
            if (opt.fp8Gemm()) {
                model.useFp8Gemms(ops, rank.backend().reserve("fp8 weights", model.fp8WeightBytes()), true);
            }
            Arena io = rank.backend().reserve("step io", FluxStep.ioBytes(cfg, set.shards, dt));
            try (FluxStep step = FluxStep.create(rank, model, dt, set.shards, in.txtIds, in.imgIds, io)) {
                int rows = step.imageLength();
                int co = cfg.outChannels();
                float[] result = new float[in.batch * rows * co];
                for (int b = 0; b < in.batch; b++) {
                    upload(ops, step, in, b);
                    step.run(ops, false);
                    ops.synchronize();
                    System.arraycopy(ops.toFloatArray(step.out()), 0, result, b * rows * co, rows * co);
                }
                return result;
            }
        };
    }

    /** Sample b's slices of the case's inputs into the step's tensors. */
    private static void upload(Ops ops, FluxStep step, Inputs in, int b) {
        FluxConfig cfg = in.config;
        int ci = cfg.inChannels();
        int cj = cfg.jointAttentionDim();
        int cp = cfg.pooledProjectionDim();
        ops.copyFromHost(step.hidden(), HostBuffers.floats(Arrays.copyOfRange(in.hidden,
                (b * in.img + step.imageStart()) * ci, (b * in.img + step.imageStart() + step.imageLength()) * ci)),
                DType.F32);
        ops.copyFromHost(step.encoder(), HostBuffers.floats(Arrays.copyOfRange(in.encoder,
                (b * in.txt + step.textStart()) * cj, (b * in.txt + step.textStart() + step.textLength()) * cj)),
                DType.F32);
        ops.copyFromHost(step.pooled(), HostBuffers.floats(Arrays.copyOfRange(in.pooled, b * cp, (b + 1) * cp)),
                DType.F32);
        ops.copyFromHost(step.timestep(), HostBuffers.floats(new float[] {in.timestep[b]}), DType.F32);
        if (in.guidance != null) {
            ops.copyFromHost(step.guidance(), HostBuffers.floats(new float[] {in.guidance[b]}), DType.F32);
        }
    }

    static float[] floats(SafetensorsFile io, String name) throws IOException {
        return CaseTensors.floats(io, name);
    }

    /** A case's config and inputs, read off config.json and io.safetensors and checked against each other. */
    private record Inputs(FluxConfig config, int batch, int img, int txt, float[] imgIds, float[] txtIds,
                          float[] hidden, float[] encoder, float[] pooled, float[] timestep, float[] guidance) {
        static Inputs read(ParityCase c) throws IOException {
            FluxConfig cfg = FluxConfig.fromDiffusers(c.config());
            try (SafetensorsFile io = SafetensorsFile.open(c.io())) {
                long[] hs = io.entry("hidden_states").shape();
                long[] es = io.entry("encoder_hidden_states").shape();
                if (hs.length != 3 || hs[2] != cfg.inChannels()) {
                    throw new IllegalArgumentException(io.path() + ": hidden_states " + Arrays.toString(hs)
                            + " should be [batch, image tokens, " + cfg.inChannels() + "]");
                }
                if (es.length != 3 || es[0] != hs[0] || es[2] != cfg.jointAttentionDim()) {
                    throw new IllegalArgumentException(io.path() + ": encoder_hidden_states " + Arrays.toString(es)
                            + " should be [" + hs[0] + ", text tokens, " + cfg.jointAttentionDim() + "]");
                }
                int batch = Math.toIntExact(hs[0]);
                int img = Math.toIntExact(hs[1]);
                int txt = Math.toIntExact(es[1]);
                float[] pooled = sized(io, "pooled_projections", (long) batch * cfg.pooledProjectionDim());
                float[] timestep = sized(io, "timestep", batch);
                float[] guidance = cfg.guidanceEmbeds() ? sized(io, "guidance", batch) : null;
                return new Inputs(cfg, batch, img, txt, ids(io, "img_ids", img), ids(io, "txt_ids", txt),
                        floats(io, "hidden_states"), floats(io, "encoder_hidden_states"), pooled, timestep, guidance);
            }
        }

        private static float[] sized(SafetensorsFile io, String name, long elements) throws IOException {
            if (io.entry(name).numel() != elements) {
                throw new IllegalArgumentException(io.path() + ": input " + name + " has shape "
                        + Arrays.toString(io.entry(name).shape()) + ", expected " + elements + " elements");
            }
            return floats(io, name);
        }

        /** Position ids [S, 3] (or diffusers' deprecated [1, S, 3]). */
        private static float[] ids(SafetensorsFile io, String name, int tokens) throws IOException {
            long[] s = io.entry(name).shape();
            long n = io.entry(name).numel();
            if (s[s.length - 1] != 3 || n != tokens * 3L) {
                throw new IllegalArgumentException(io.path() + ": " + name + " " + Arrays.toString(s)
                        + " should be [" + tokens + ", 3]");
            }
            return floats(io, name);
        }
    }
}
