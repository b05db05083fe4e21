package dev.sparkdit.gputest;

import dev.sparkdit.cuda.CudaEvent;
import dev.sparkdit.cuda.CudaGraph;
import dev.sparkdit.cuda.CudaOps;
import dev.sparkdit.ops.Activation;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

import java.util.Locale;

/**
 * Times the kernels at FLUX.1 shapes (hidden 3072, 24 heads x 128, 4096 image + 512 text tokens, bf16)
 * with CUDA events, and direct launches against graph replay. Prints one line per op.
 * {@code java -cp <bundle jars> dev.sparkdit.gputest.KernelBenchmarks [iterations]}
 */
public final class KernelBenchmarks {
    static final int S = 4608, D = 3072, H = 24, DH = 128;

    private KernelBenchmarks() {
    }

    public static void main(String[] args) {
        int iters = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        DType bf = DType.BF16;
        try (CudaOps o = new CudaOps(0, 8L << 30)) {
            System.out.println(o.cudaDevice());
            Tensor x = random(o, bf, 1, S, D);
            Tensor qkv = random(o, bf, 2, S, 3L * D);
            Tensor w = random(o, bf, 3, D, D);
            Tensor wUp = random(o, bf, 4, 4L * D, D);
            Tensor bias = random(o, bf, 5, 4L * D);
            Tensor emb = random(o, bf, 6, 3L * D);
            Tensor cos = random(o, DType.F32, 7, S, DH), sin = random(o, DType.F32, 8, S, DH);
            Tensor normW = random(o, bf, 9, DH);
            Tensor q = o.scratch().allocate(bf, H, S, DH), k = o.scratch().allocate(bf, H, S, DH);
            Tensor v = o.scratch().allocate(bf, H, S, DH);
            Tensor out = o.scratch().allocate(bf, S, D), up = o.scratch().allocate(bf, S, 4L * D);
            Tensor attF32 = o.scratch().allocate(DType.F32, S, D), lse = o.scratch().allocate(DType.F32, H, S);
            Tensor attBf = o.scratch().allocate(bf, S, D);
            float scale = (float) (1 / Math.sqrt(DH));

            report("layer_norm_modulate [4608, 3072]", time(o, iters, () -> o.layerNormModulate(out, x,
                    emb.narrow(0, 0, D), emb.narrow(0, D, D), 1e-6f)), 2.0 * S * D * 2, 0);
            report("qk_norm_rope [4608, 9216] -> 3 x [24, 4608, 128]", time(o, iters, () -> o.qkNormRope(qkv, normW,
                    normW, 1e-6f, cos, sin, q, k, v, 0)), 2.0 * 2 * S * 3L * D, 0);
            report("add_gated [4608, 3072]", time(o, iters, () -> o.addGated(out, x, emb.narrow(0, 2L * D, D))),
                    3.0 * S * D * 2, 0);
            report("attention bf16 24 x 4608 x 4608 x 128, out bf16", time(o, iters, () -> o.attention(attBf, lse, q, k,
                    v, scale)), 0, 4.0 * S * S * DH * H);
            report("attention bf16 24 x 4608 x 4608 x 128, out f32", time(o, iters, () -> o.attention(attF32, lse, q, k,
                    v, scale)), 0, 4.0 * S * S * DH * H);
            report("linear bf16 4608 x 3072 x 3072", time(o, iters, () -> o.linear(out, x, w, null, Activation.NONE)),
                    0, 2.0 * S * D * D);
            report("linear bf16 4608 x 12288 x 3072 + bias + GELU", time(o, iters, () -> o.linear(up, x, wUp, bias,
                    Activation.GELU_TANH)), 0, 2.0 * S * 4 * D * D);

            // The modulation GEMVs: a double block's 6D rows whole, and the half a rank of two computes.
            Tensor wMod = random(o, bf, 11, 6L * D, D);
            Tensor modBias = random(o, bf, 12, 6L * D);
            Tensor row = x.narrow(0, 0, 1), mod = o.scratch().allocate(bf, 1, 6L * D);
            for (long rows : new long[] {6L * D, 3L * D}) {
                report("linear bf16 1 x " + rows + " x " + D + " + bias (modulation GEMV)", time(o, iters,
                        () -> o.linear(mod.narrow(1, 0, rows), row, wMod.narrow(0, 0, rows), modBias.narrow(0, 0, rows),
                                Activation.NONE)), 2.0 * rows * D, 0);
            }

            // FP8 GEMM inputs quantized per token: bf16 in, e4m3 + one scale per row out.
            for (long kq : new long[] {D, 4L * D, 5L * D}) {
                Tensor xin = o.scratch().allocate(bf, S, kq), xq = o.scratch().allocate(DType.F8_E4M3, S, kq);
                Tensor xs = o.scratch().allocate(DType.F32, S, 1);
                new dev.sparkdit.cuda.FillRandom(o.kernels(), o.stream()).run(xin, 41, -1f, 2f);
                report("fp8 row quantize [" + S + ", " + kq + "]", time(o, iters, () -> o.quantizeFp8(xq, xs, xin, (int) kq)),
                        3.0 * S * kq, 0);
            }
            gemmTable(o, iters);
            for (int u : new int[] {1, 2, 4}) {
                gemmSequence(o, u, 7);
            }

            // launch overhead: 100 small kernels directly, then replayed from a graph
            Tensor small = o.scratch().allocate(bf, 1, 256);
            Runnable hundred = () -> {
                for (int i = 0; i < 100; i++) {
                    o.add(small, small, small);
                }
            };
            double direct = time(o, iters, hundred);
            hundred.run();
            try (CudaGraph g = CudaGraph.capture(o.stream(), hundred)) {
                double replay = time(o, iters, () -> g.launch(o.stream()));
                System.out.printf(Locale.ROOT, "%-55s %9.2f us/kernel direct, %6.2f us/kernel graph%n",
                        "launch overhead (100 x add [1, 256])", direct * 10, replay * 10);
            }
        }
    }

    /**
     * Every linear of a FLUX step at the row counts one rank has over 1, 2 and 4 GPUs (single blocks
     * {@code S/U} rows; double blocks' image {@code 4096/U} and text {@code 512/U}), each with its bias
     * and epilogue, then the step's GEMM milliseconds these imply (38 single, 19 double blocks). The
     * weights and inputs are seeded uniform noise; each shape is tuned on its first call as in a run.
     */
    static void gemmTable(CudaOps o, int iters) {
        DType bf = DType.BF16;
        dev.sparkdit.cuda.FillRandom rnd = new dev.sparkdit.cuda.FillRandom(o.kernels(), o.stream());
        long maxW = 5L * D * D, maxX = (long) S * 5 * D, maxOut = (long) S * 4 * D;
        Tensor wAll = o.scratch().allocate(bf, maxW), xAll = o.scratch().allocate(bf, maxX);
        Tensor outAll = o.scratch().allocate(bf, maxOut), biasAll = o.scratch().allocate(bf, 4L * D);
        rnd.run(wAll, 21, -0.02f, 0.04f);
        rnd.run(xAll, 22, -1f, 2f);
        rnd.run(biasAll, 23, -0.1f, 0.2f);
        // name, rows (per U), N, K, GELU, uses per step
        record Shape(String name, boolean single, boolean text, long n, long k, boolean gelu, int uses) {
        }
        Shape[] shapes = {
            new Shape("single to_qkv", true, false, 3L * D, D, false, 38),
            new Shape("single proj_mlp +GELU", true, false, 4L * D, D, true, 38),
            new Shape("single proj_out", true, false, D, 5L * D, false, 38),
            new Shape("double img qkv", false, false, 3L * D, D, false, 19),
            new Shape("double img to_out", false, false, D, D, false, 19),
            new Shape("double img ff_in +GELU", false, false, 4L * D, D, true, 19),
            new Shape("double img ff_out", false, false, D, 4L * D, false, 19),
            new Shape("double txt qkv", false, true, 3L * D, D, false, 19),
            new Shape("double txt to_out", false, true, D, D, false, 19),
            new Shape("double txt ff_in +GELU", false, true, 4L * D, D, true, 19),
            new Shape("double txt ff_out", false, true, D, 4L * D, false, 19),
        };
        for (int u : new int[] {1, 2, 4}) {
            double stepMs = 0, stepFlops = 0;
            for (Shape sh : shapes) {
                long m = (sh.single() ? S : sh.text() ? 512 : 4096) / u;
                Tensor x = GpuFixture.view(xAll, m, sh.k()), w = GpuFixture.view(wAll, sh.n(), sh.k());
                Tensor out = GpuFixture.view(outAll, m, sh.n()), bias = biasAll.narrow(0, 0, sh.n());
                Activation act = sh.gelu() ? Activation.GELU_TANH : Activation.NONE;
                double ms = time(o, iters, () -> o.linear(out, x, w, bias, act));
                double flops = 2.0 * m * sh.n() * sh.k();
                stepMs += ms * sh.uses();
                stepFlops += flops * sh.uses();
                report("gemm U" + u + " " + sh.name() + " " + m + "x" + sh.n() + "x" + sh.k(), ms, 0, flops);
            }
            System.out.printf(Locale.ROOT, "%-55s %9.3f ms  %7.1f TFLOP/s%n", "gemm U" + u + " per step (sum of uses)",
                    stepMs, stepFlops / stepMs / 1e9);
        }
    }

    /**
     * One step's GEMMs at the rows one rank of {@code u} holds, launched back to back in the model's order
     * (19 double blocks, image then text, then 38 single blocks), timed as a whole: once with every
     * layer reading the same weights (they stay partly in L2, as in {@link #gemmTable}) and once cycling
     * through 16 distinct weight buffers (1.5 GB, every read cold, as in a real step). The gap between
     * these and the table's sum says whether a step's GEMMs lose time to cold weights or to running
     * without pauses. Median of {@code reps} sequences after one warm-up.
     */
    static void gemmSequence(CudaOps o, int u, int reps) {
        DType bf = DType.BF16;
        dev.sparkdit.cuda.FillRandom rnd = new dev.sparkdit.cuda.FillRandom(o.kernels(), o.stream());
        long mark = o.scratch().mark();
        int buffers = 16;
        long wSize = 5L * D * D;
        Tensor wAll = o.scratch().allocate(bf, buffers * wSize);
        long s = S / u, img = 4096 / u, txt = 512 / u;
        Tensor xAll = o.scratch().allocate(bf, s * 5 * D), outAll = o.scratch().allocate(bf, s * 4 * D);
        Tensor biasAll = o.scratch().allocate(bf, 4L * D);
        rnd.run(wAll, 31, -0.02f, 0.04f);
        rnd.run(xAll, 32, -1f, 2f);
        rnd.run(biasAll, 33, -0.1f, 0.2f);
        for (boolean distinct : new boolean[] {false, true}) {
            int[] next = {0};
            java.util.function.BiConsumer<long[], Boolean> gemm = (mnk, gelu) -> {
                long m = mnk[0], n = mnk[1], k = mnk[2];
                long off = distinct ? (next[0]++ % buffers) * wSize : 0;
                Tensor w = GpuFixture.view(wAll.narrow(0, off, n * k), n, k);
                o.linear(GpuFixture.view(outAll, m, n), GpuFixture.view(xAll, m, k), w, biasAll.narrow(0, 0, n),
                        gelu ? Activation.GELU_TANH : Activation.NONE);
            };
            Runnable step = () -> {
                for (int b = 0; b < 19; b++) {
                    gemm.accept(new long[] {img, 3L * D, D}, false);
                    gemm.accept(new long[] {txt, 3L * D, D}, false);
                    for (long rows : new long[] {img, txt}) {
                        gemm.accept(new long[] {rows, D, D}, false);
                        gemm.accept(new long[] {rows, 4L * D, D}, true);
                        gemm.accept(new long[] {rows, D, 4L * D}, false);
                    }
                }
                for (int b = 0; b < 38; b++) {
                    gemm.accept(new long[] {s, 3L * D, D}, false);
                    gemm.accept(new long[] {s, 4L * D, D}, true);
                    gemm.accept(new long[] {s, D, 5L * D}, false);
                }
            };
            double[] ms = sortedMs(o, 1, reps, step);
            System.out.printf(Locale.ROOT, "%-55s %9.3f ms  (min %.3f, max %.3f)%n", "gemm U" + u
                    + " model-order sequence, " + (distinct ? "16 distinct weights" : "one shared weight"),
                    ms[reps / 2], ms[0], ms[reps - 1]);
        }
        o.scratch().reset(mark);
    }

    static Tensor random(CudaOps o, DType dt, long seed, long... shape) {
        Tensor t = o.scratch().allocate(dt, shape);
        o.copyFromHost(t, HostData.f32Bytes(HostData.randn((int) t.numel(), seed, 1)), DType.F32);
        return t;
    }

    /**
     * Milliseconds of each of {@code reps} calls, each between its own pair of CUDA events, after
     * {@code warmups} untimed calls; sorted, so that the median is {@code [reps / 2]}.
     */
    static double[] sortedMs(CudaOps o, int warmups, int reps, Runnable r) {
        for (int i = 0; i < warmups; i++) {
            r.run();
        }
        double[] ms = new double[reps];
        try (CudaEvent a = new CudaEvent(); CudaEvent b = new CudaEvent()) {
            for (int i = 0; i < reps; i++) {
                a.record(o.stream());
                r.run();
                b.record(o.stream());
                ms[i] = b.elapsedMs(a);
            }
        }
        java.util.Arrays.sort(ms);
        return ms;
    }

    /** Milliseconds per call, by CUDA events around {@code iters} calls after 3 warm-up calls. */
    static double time(CudaOps o, int iters, Runnable r) {
        for (int i = 0; i < 3; i++) {
            r.run();
        }
        try (CudaEvent a = new CudaEvent(); CudaEvent b = new CudaEvent()) {
            a.record(o.stream());
            for (int i = 0; i < iters; i++) {
                r.run();
            }
            b.record(o.stream());
            return b.elapsedMs(a) / iters;
        }
    }

    static void report(String what, double ms, double bytes, double flops) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-55s %9.3f ms", what, ms));
        if (bytes > 0) {
            s.append(String.format(Locale.ROOT, "  %7.0f GB/s", bytes / ms / 1e6));
        }
        if (flops > 0) {
            s.append(String.format(Locale.ROOT, "  %7.1f TFLOP/s", flops / ms / 1e9));
        }
        System.out.println(s);
    }
}
