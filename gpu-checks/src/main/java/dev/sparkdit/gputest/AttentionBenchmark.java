package dev.sparkdit.gputest;

import dev.sparkdit.cuda.Attention;
import dev.sparkdit.cuda.CudaOps;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

import java.util.List;
import java.util.Locale;

/**
 * Times every attention variant ({@link Attention#VARIANTS}) at the FLUX.1 shape (H 24, Dh 128,
 * Sq = Sk = 4608, bf16 in, bf16 out, lse null) on random inputs: 3 warm-up calls, then the median of
 * {@code iters} calls each timed with CUDA events. One row per variant: ms per call, TFLOP/s
 * (4 Sq Sk Dh H flops) and the max relative difference of its output against v1's,
 * max |x - ref| / max |ref|. Optional arguments: iterations (default 20), variants (comma-separated), heads
 * (default 24; 12 and 6 are a rank's share under Ulysses 2 and 4).
 * {@code java -cp <bundle jars> dev.sparkdit.gputest.AttentionBenchmark [iters] [v1,v2,...] [heads]}
 */
public final class AttentionBenchmark {
    static final int S = 4608, H = 24, DH = 128;

    private AttentionBenchmark() {
    }

    public static void main(String[] args) {
        int iters = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        List<String> variants = args.length > 1 ? List.of(args[1].split(",")) : Attention.VARIANTS;
        int heads = args.length > 2 ? Integer.parseInt(args[2]) : H;
        DType bf = DType.BF16;
        double flops = 4.0 * S * S * DH * heads;
        float scale = (float) (1 / Math.sqrt(DH));
        try (CudaOps o = new CudaOps(0, 2L << 30)) {
            System.out.println(o.cudaDevice());
            Attention att = new Attention(o.kernels(), o.stream(), o.scratch());
            System.out.println("H " + heads + ", Sq = Sk = " + S + ", Dh " + DH);
            Tensor q = KernelBenchmarks.random(o, bf, 11, heads, S, DH);
            Tensor k = KernelBenchmarks.random(o, bf, 12, heads, S, DH);
            Tensor v = KernelBenchmarks.random(o, bf, 13, heads, S, DH);
            Tensor ref = o.scratch().allocate(bf, S, (long) heads * DH);
            Tensor out = o.scratch().allocate(bf, S, (long) heads * DH);
            att.run(ref, null, q, k, v, scale, "v1");
            float[] r = o.toFloatArray(ref);
            double refMax = 0;
            for (float x : r) {
                refMax = Math.max(refMax, Math.abs(x));
            }
            System.out.printf(Locale.ROOT, "%-8s %9s %9s %12s%n", "variant", "ms", "TFLOP/s", "max rel diff");
            for (String va : variants) {
                o.fillBytes(out, 0xFF);  // NaN poison
                att.run(out, null, q, k, v, scale, va);
                float[] g = o.toFloatArray(out);
                double diff = 0;
                for (int i = 0; i < g.length; i++) {
                    double d = Math.abs(g[i] - r[i]);
                    diff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(diff, d);
                }
                double ms = median(o, iters, () -> att.run(out, null, q, k, v, scale, va));
                System.out.printf(Locale.ROOT, "%-8s %9.3f %9.1f %12.2e%n", va, ms, flops / ms / 1e9, diff / refMax);
            }
        }
    }

    /** Median milliseconds of {@code iters} calls, each between its own pair of CUDA events, after 3 warm-ups. */
    static double median(CudaOps o, int iters, Runnable r) {
        return KernelBenchmarks.sortedMs(o, 3, iters, r)[iters / 2];
    }
}
