package dev.sparkdit.gputest;

import dev.sparkdit.ops.Activation;
import dev.sparkdit.ops.SeededUniform;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

import static dev.sparkdit.gputest.GpuFixture.download;
import static dev.sparkdit.gputest.GpuFixture.ops;
import static dev.sparkdit.gputest.GpuFixture.poisoned;
import static dev.sparkdit.gputest.GpuFixture.upload;
import static dev.sparkdit.gputest.HostData.randn;
import static dev.sparkdit.gputest.HostData.roundTo;
import static dev.sparkdit.gputest.GpuFixture.check;
import static dev.sparkdit.gputest.MeasuredChecks.requireClose;
import static dev.sparkdit.gputest.MeasuredChecks.requireSame;
import static dev.sparkdit.gputest.MeasuredChecks.time;
import static dev.sparkdit.gputest.MeasuredChecks.tol;

/**
 * The VAE decoder's image ops on CUDA (channels-last {@code [P, C]} / {@code [H, W, C]}): {@code groupNorm} (+ SiLU)
 * against an fp64 two-pass reference, and {@code upsampleNearest2x} bit for bit, in fp32 and bf16. Small shapes are
 * checked whole (C not a multiple of 8, odd groups, every vector width of the kernels); the VAE's own sizes
 * (1024 x 1024 pixels at C = 128, and 2048 x 2048 in place in bf16) are filled on the device with
 * {@code fillUniform} at a mean of 30 (fp32) or 3 (bf16) against a spread of 0.58, where E[x^2] - E[x]^2 in fp32
 * would fail, and checked on 3 x 1024 sampled pixels against statistics recomputed on the host over every pixel.
 */
public final class ImageOpChecks {
    private ImageOpChecks() {
    }

    public static List<GpuCheck> all() {
        List<GpuCheck> c = new ArrayList<>();
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            String t = dt.name().toLowerCase(Locale.ROOT);
            c.add(check("groupNorm " + t + " [4096, 512] G=32 SiLU (VAE mid block at 64 x 64)",
                    () -> groupNorm(dt, 4096, 512, 32, Activation.SILU, 0.5f)));
            c.add(check("groupNorm " + t + " [16384, 128] G=32 (cpg 4)", () -> groupNorm(dt, 16384, 128, 32,
                    Activation.NONE, 2f)));
            c.add(check("groupNorm " + t + " [1000, 256] G=32 SiLU (cpg 8)", () -> groupNorm(dt, 1000, 256, 32,
                    Activation.SILU, 0f)));
            c.add(check("groupNorm " + t + " [777, 36] G=4 (cpg 9, C not a multiple of 8)",
                    () -> groupNorm(dt, 777, 36, 4, Activation.NONE, 1f)));
            c.add(check("groupNorm " + t + " [333, 12] G=3 SiLU (cpg 4, C = 12)", () -> groupNorm(dt, 333, 12, 3,
                    Activation.SILU, -1f)));
            c.add(check("groupNorm " + t + " [5, 40] G=8 (cpg 5, 5 pixels)", () -> groupNorm(dt, 5, 40, 8,
                    Activation.NONE, 0f)));
            c.add(check("groupNorm " + t + " [1048576, 128] G=32 SiLU (VAE at 1024 x 1024), mean "
                    + (dt == DType.F32 ? 30 : 3), () -> groupNormLarge(dt, 1024 * 1024, 128, 32, false)));
            c.add(check("upsampleNearest2x " + t + " [13, 17, 36] -> [26, 34, 36]", () -> upsample(dt, 13, 17, 36)));
            c.add(check("upsampleNearest2x " + t + " [8, 8, 128] -> [16, 16, 128] (16-byte units)",
                    () -> upsample(dt, 8, 8, 128)));
            c.add(check("upsampleNearest2x " + t + " [5, 7, 3] -> [10, 14, 3] (C = 3)", () -> upsample(dt, 5, 7, 3)));
        }
        c.add(check("groupNorm bf16 [4194304, 128] G=32 SiLU in place (VAE at 2048 x 2048), mean 3",
                () -> groupNormLarge(DType.BF16, 2048 * 2048, 128, 32, true)));
        c.add(check("upsampleNearest2x bf16 [512, 512, 256] -> [1024, 1024, 256] (VAE at 1024 x 1024), timed",
                ImageOpChecks::upsampleVae));
        return c;
    }

    static double act(double y, Activation act) {
        return switch (act) {
            case NONE -> y;
            case SILU -> y / (1 + Math.exp(-y));
            default -> throw new IllegalArgumentException("no reference for " + act);
        };
    }

    /** Per group (mean, rstd) of x [P, C] in fp64, two passes. */
    static double[][] groupStats(float[] x, int p, int c, int groups, float eps) {
        int cpg = c / groups;
        double[] mean = new double[groups], rstd = new double[groups];
        for (int g = 0; g < groups; g++) {
            double s = 0;
            for (int i = 0; i < p; i++) {
                for (int j = g * cpg; j < (g + 1) * cpg; j++) {
                    s += x[i * c + j];
                }
            }
            mean[g] = s / ((double) p * cpg);
            double q = 0;
            for (int i = 0; i < p; i++) {
                for (int j = g * cpg; j < (g + 1) * cpg; j++) {
                    double d = x[i * c + j] - mean[g];
                    q += d * d;
                }
            }
            rstd[g] = 1 / Math.sqrt(q / ((double) p * cpg) + eps);
        }
        return new double[][] {mean, rstd};
    }

    /** y for the rows of {@code x} (each C values) given the group statistics. */
    static double[] groupNormRef(float[] x, int rows, int c, int groups, double[][] stats, float[] w, float[] b,
                                 Activation a) {
        int cpg = c / groups;
        double[] ref = new double[rows * c];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < c; j++) {
                int g = j / cpg;
                ref[i * c + j] = act((x[i * c + j] - stats[0][g]) * stats[1][g] * w[j] + b[j], a);
            }
        }
        return ref;
    }

    static void groupNorm(DType dt, int p, int c, int groups, Activation a, float mean) {
        float[] x = randn(p * c, 201, 1.3);
        for (int i = 0; i < x.length; i++) {
            x[i] += mean + 0.01f * (i % c);  // channel-dependent offsets: groups differ
        }
        x = roundTo(x, dt);
        float[] w = roundTo(randn(c, 202, 1), dt), b = roundTo(randn(c, 203, 0.5), dt);
        Tensor out = poisoned(dt, p, c);
        float eps = 1e-6f;
        ops().groupNorm(out, upload(x, dt, p, c), upload(w, dt, c), upload(b, dt, c), groups, eps, a);
        double[] ref = groupNormRef(x, p, c, groups, groupStats(x, p, c, groups, eps), w, b, a);
        requireClose("groupNorm " + dt + " [" + p + ", " + c + "] G=" + groups + " " + a, download(out), ref, tol(dt));
    }

    /** The value fillUniform(seed, offset, scale 1) puts at element i, as stored in dt. */
    static float filled(DType dt, long seed, long i, float offset) {
        float v = offset + (2f * SeededUniform.unit(seed, i) - 1f);  // one rounding, as the kernel (scale 1: no FMA)
        return dt == DType.BF16 ? HostData.bf16(v) : v;
    }

    /**
     * The VAE's sizes: x filled on the device, the statistics recomputed on the host over every pixel (fp64, two
     * passes, in parallel), the output compared on the first, middle and last 1024 pixels (their inputs downloaded
     * before the call, which may write over x). Then timed.
     */
    static void groupNormLarge(DType dt, int p, int c, int groups, boolean inPlace) {
        long seed = 204;
        float offset = dt == DType.F32 ? 30f : 3f;
        Tensor x = ops().scratch().allocate(dt, p, c);
        ops().fillUniform(x, seed, offset, 1f);
        Tensor out = inPlace ? x : poisoned(dt, p, c);
        float[] w = roundTo(randn(c, 205, 1), dt), b = roundTo(randn(c, 206, 0.5), dt);
        Tensor tw = upload(w, dt, c), tb = upload(b, dt, c);
        int n = 1024;
        int[] starts = {0, p / 2, p - n};
        float[][] xs = new float[3][];
        for (int k = 0; k < 3; k++) {
            xs[k] = download(x.narrow(0, starts[k], n));
        }
        float eps = 1e-6f;
        ops().groupNorm(out, x, tw, tb, groups, eps, Activation.SILU);
        float[][] got = new float[3][];
        for (int k = 0; k < 3; k++) {
            got[k] = download(out.narrow(0, starts[k], n));
        }
        int cpg = c / groups;
        int chunks = 256;
        double[][] sums = IntStream.range(0, chunks).parallel().mapToObj(k -> {
            double[] s = new double[groups];
            for (long i = (long) p * k / chunks; i < (long) p * (k + 1) / chunks; i++) {
                for (int j = 0; j < c; j++) {
                    s[j / cpg] += filled(dt, seed, i * c + j, offset);
                }
            }
            return s;
        }).toArray(double[][]::new);
        double count = (double) p * cpg;
        double[] mean = new double[groups];
        for (double[] s : sums) {
            for (int g = 0; g < groups; g++) {
                mean[g] += s[g] / count;
            }
        }
        double[][] sq = IntStream.range(0, chunks).parallel().mapToObj(k -> {
            double[] s = new double[groups];
            for (long i = (long) p * k / chunks; i < (long) p * (k + 1) / chunks; i++) {
                for (int j = 0; j < c; j++) {
                    double d = filled(dt, seed, i * c + j, offset) - mean[j / cpg];
                    s[j / cpg] += d * d;
                }
            }
            return s;
        }).toArray(double[][]::new);
        double[] rstd = new double[groups];
        for (int g = 0; g < groups; g++) {
            double q = 0;
            for (double[] s : sq) {
                q += s[g];
            }
            rstd[g] = 1 / Math.sqrt(q / count + eps);
        }
        float[] all = new float[3 * n * c];
        double[] ref = new double[3 * n * c];
        for (int k = 0; k < 3; k++) {
            System.arraycopy(got[k], 0, all, k * n * c, n * c);
            double[] r = groupNormRef(xs[k], n, c, groups, new double[][] {mean, rstd}, w, b, Activation.SILU);
            System.arraycopy(r, 0, ref, k * n * c, n * c);
        }
        String what = "groupNorm " + dt + " [" + p + ", " + c + "] G=" + groups + " SiLU" + (inPlace ? " in place" : "");
        requireClose(what + " (3 x 1024 sampled pixels)", all, ref, tol(dt));
        double ms = time(what, 5, () -> ops().groupNorm(out, x, tw, tb, groups, eps, Activation.SILU));
        double gb = (double) p * c * dt.bytes() / 1e9;  // read for the statistics, read to normalise, write
        System.out.printf(Locale.ROOT, "     %s: %.0f GB/s (3 passes over %.2f GB)%n", what, 3 * gb / (ms / 1e3), gb);
    }

    static void upsample(DType dt, int h, int w, int c) {
        float[] x = roundTo(randn(h * w * c, 211, 1), dt);
        Tensor out = poisoned(dt, 2L * h, 2L * w, c);
        ops().upsampleNearest2x(out, upload(x, dt, h, w, c));
        float[] want = new float[4 * h * w * c];
        for (int i = 0; i < 2 * h; i++) {
            for (int j = 0; j < 2 * w; j++) {
                System.arraycopy(x, ((i / 2) * w + j / 2) * c, want, (i * 2 * w + j) * c, c);
            }
        }
        requireSame("upsampleNearest2x " + dt + " [" + h + ", " + w + ", " + c + "]", download(out), want);
    }

    static void upsampleVae() {
        DType dt = DType.BF16;
        int h = 512, w = 512, c = 256;
        Tensor x = ops().scratch().allocate(dt, h, w, c);
        ops().fillUniform(x, 212, 0f, 1f);
        Tensor out = poisoned(dt, 2L * h, 2L * w, c);
        ops().upsampleNearest2x(out, x);
        // rows 0, 1 and the last two output rows against the first and last input rows
        for (int row : new int[] {0, h - 1}) {
            float[] in = download(x.narrow(0, row, 1));
            float[] o = download(out.narrow(0, 2L * row, 2));
            float[] want = new float[2 * 2 * w * c];
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2 * w; j++) {
                    System.arraycopy(in, (j / 2) * c, want, (i * 2 * w + j) * c, c);
                }
            }
            requireSame("upsampleNearest2x bf16 [512, 512, 256] output rows " + 2 * row + ", " + (2 * row + 1), o, want);
        }
        double ms = time("upsampleNearest2x bf16 [512, 512, 256]", 10, () -> ops().upsampleNearest2x(out, x));
        double gb = 5.0 * h * w * c * dt.bytes() / 1e9;
        System.out.printf(Locale.ROOT, "     upsampleNearest2x bf16 [512, 512, 256]: %.0f GB/s (%.2f GB moved)%n",
                gb / (ms / 1e3), gb);
    }
}
