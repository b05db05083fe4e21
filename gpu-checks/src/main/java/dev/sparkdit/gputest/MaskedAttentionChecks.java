package dev.sparkdit.gputest;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.IntStream;

import static dev.sparkdit.gputest.GpuFixture.download;
import static dev.sparkdit.gputest.GpuFixture.ops;
import static dev.sparkdit.gputest.GpuFixture.poisoned;
import static dev.sparkdit.gputest.GpuFixture.upload;
import static dev.sparkdit.gputest.HostData.randn;
import static dev.sparkdit.gputest.HostData.roundTo;
import static dev.sparkdit.gputest.GpuFixture.check;
import static dev.sparkdit.gputest.MeasuredChecks.requireClose;
import static dev.sparkdit.gputest.MeasuredChecks.time;
import static dev.sparkdit.gputest.MeasuredChecks.tolGemm;

/**
 * The general attention kernel (masked_attention.cu) against a plain-Java fp64 softmax attention: {@code
 * maskedAttention} at the text encoders' and the VAE's shapes (T5-XXL: 64 heads x 512 tokens with an fp32 bias
 * [64, 512, 512] and no scaling; CLIP-L: 12 heads x 77 tokens, causal; the VAE mid block: one head of Dh 512 over
 * 4096 tokens, and over 16384 / 65536 tokens timed), edge cases (causal with Sq != Sk, bias and causal together,
 * head dims padded to a chunk, token-major and unaligned views that send bf16 to the FMA kernel, a row whose bias
 * is -inf everywhere, mixed input / output dtypes), and {@code attention(...)} with the log-sum-exp for the head dims
 * {@code Attention}'s kernels refuse (16, 40, 80, 96, 512), which CudaOps sends here. Tolerances (relative L2): fp32
 * 1e-4, bf16 2e-2 (out and lse). Long sequences are checked on sampled query rows (the first and last 32 and a
 * seeded random set), every output element still required to be written.
 */
public final class MaskedAttentionChecks {
    private MaskedAttentionChecks() {
    }

    /** How q, k and v lie in memory. */
    enum Layout {
        /** three [H, S, Dh] tensors */
        HEAD_MAJOR,
        /** views of one [S, 3, H, Dh] buffer (row stride 3 H Dh, head stride Dh); needs Sq == Sk */
        TOKEN_MAJOR,
        /** [H, S, Dh] views at column 1 of [H, S, Dh + 1] buffers: rows not 16-byte aligned (bf16: the FMA kernel) */
        UNALIGNED
    }

    /** One case: sizes, mask, layout, dtypes, and how many query rows to check (0: all). */
    record Case(DType in, DType out, int h, int sq, int sk, int dh, float scale, boolean causal, boolean bias,
                Layout layout, int sampled, boolean timed) {
        Case {
            if (layout == Layout.TOKEN_MAJOR && sq != sk) {
                throw new IllegalArgumentException("token-major q/k/v need Sq == Sk");
            }
        }
    }

    public static List<GpuCheck> all() {
        List<GpuCheck> c = new ArrayList<>();
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            String t = dt.name().toLowerCase(Locale.ROOT);
            c.add(check("maskedAttention " + t + " T5-XXL 64 heads x 512 tokens Dh 64, fp32 bias [64, 512, 512], scale 1",
                    () -> masked(new Case(dt, dt, 64, 512, 512, 64, 1f, false, true, Layout.HEAD_MAJOR, 0, true))));
            c.add(check("maskedAttention " + t + " CLIP-L 12 heads x 77 tokens Dh 64, causal",
                    () -> masked(new Case(dt, dt, 12, 77, 77, 64, 0.125f, true, false, Layout.HEAD_MAJOR, 0, false))));
            c.add(check("maskedAttention " + t + " causal + bias, 3 heads, Sq 50, Sk 77, Dh 40 (padded chunk)",
                    () -> masked(new Case(dt, dt, 3, 50, 77, 40, 0.158f, true, true, Layout.HEAD_MAJOR, 0, false))));
            c.add(check("maskedAttention " + t + " token-major q/k/v [200, 3, 4, 96], bias, Dh 96",
                    () -> masked(new Case(dt, dt, 4, 200, 200, 96, 0.102f, false, true, Layout.TOKEN_MAJOR, 0, false))));
            c.add(check("maskedAttention " + t + " unaligned views, 2 heads, Sq 70, Sk 45, Dh 36, causal",
                    () -> masked(new Case(dt, dt, 2, 70, 45, 36, 0.167f, true, false, Layout.UNALIGNED, 0, false))));
            c.add(check("maskedAttention " + t + " VAE mid block 1 head x 4096 tokens Dh 512 (256 rows checked)",
                    () -> masked(new Case(dt, dt, 1, 4096, 4096, 512, 0.0442f, false, false, Layout.HEAD_MAJOR, 256,
                            false))));
            c.add(check("maskedAttention " + t + " VAE at 1024 x 1024: 1 head x 16384 tokens Dh 512 (128 rows), timed",
                    () -> masked(new Case(dt, dt, 1, 16384, 16384, 512, 0.0442f, false, false, Layout.HEAD_MAJOR, 128,
                            true))));
            c.add(check("maskedAttention " + t + " a row whose bias is -inf everywhere gives 0",
                    () -> maskedRowAllMasked(dt)));
        }
        c.add(check("maskedAttention bf16 -> out f32, CLIP-L causal 12 x 77 x 64",
                () -> masked(new Case(DType.BF16, DType.F32, 12, 77, 77, 64, 0.125f, true, false, Layout.HEAD_MAJOR, 0,
                        false))));
        c.add(check("maskedAttention f32 -> out bf16, 5 heads, Sq 33, Sk 300, Dh 128, bias",
                () -> masked(new Case(DType.F32, DType.BF16, 5, 33, 300, 128, 0.088f, false, true, Layout.HEAD_MAJOR, 0,
                        false))));
        c.add(check("maskedAttention bf16 VAE at 2048 x 2048: 1 head x 65536 tokens Dh 512 (64 rows), timed",
                () -> masked(new Case(DType.BF16, DType.BF16, 1, 65536, 65536, 512, 0.0442f, false, false,
                        Layout.HEAD_MAJOR, 64, true))));
        // attention(...) for head dims the fast kernels refuse: the general kernel, with the log-sum-exp
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            String t = dt.name().toLowerCase(Locale.ROOT);
            for (int dh : new int[] {16, 40, 80, 96}) {
                c.add(check("attention " + t + " Dh=" + dh + " Sq=100 Sk=130 with lse (general kernel), out F32",
                        () -> attention(dt, DType.F32, 3, 100, 130, dh, 1)));
            }
            c.add(check("attention " + t + " Dh=512 Sq=300 Sk=257 with lse (general kernel), out " + t,
                    () -> attention(dt, dt, 1, 300, 257, 512, 1)));
        }
        c.add(check("attention bf16 Dh=80 with lse, out in 2 parts (general kernel into scratch, then a copy)",
                () -> attention(DType.BF16, DType.BF16, 2, 100, 77, 80, 2)));
        return c;
    }

    /** q, k, v on the device as the layout says, from host values [H, S, Dh] each. */
    static Tensor[] uploadQkv(Case cs, float[] q, float[] k, float[] v) {
        int h = cs.h(), dh = cs.dh();
        DType in = cs.in();
        switch (cs.layout()) {
            case HEAD_MAJOR:
                return new Tensor[] {upload(q, in, h, cs.sq(), dh), upload(k, in, h, cs.sk(), dh), upload(v, in, h, cs.sk(), dh)};
            case TOKEN_MAJOR: {
                int s = cs.sq();
                float[] all = new float[3 * h * s * dh];
                float[][] src = {q, k, v};
                for (int which = 0; which < 3; which++) {
                    for (int hh = 0; hh < h; hh++) {
                        for (int i = 0; i < s; i++) {
                            System.arraycopy(src[which], (hh * s + i) * dh, all, ((i * 3 + which) * h + hh) * dh, dh);
                        }
                    }
                }
                Tensor buf = upload(all, in, s, 3, h, dh);
                Tensor[] views = new Tensor[3];
                for (int which = 0; which < 3; which++) {
                    Tensor part = buf.narrow(1, which, 1);  // [S, 1, H, Dh]
                    views[which] = new Tensor(part.address(), part.device(), in, new long[] {h, s, dh},
                            new long[] {dh, 3L * h * dh, 1});
                }
                return views;
            }
            default: {
                Tensor[] views = new Tensor[3];
                float[][] src = {q, k, v};
                int[] rows = {cs.sq(), cs.sk(), cs.sk()};
                for (int which = 0; which < 3; which++) {
                    Tensor wide = poisoned(in, h, rows[which], dh + 1L);
                    views[which] = wide.narrow(2, 1, dh);
                    ops().copyFromHost(views[which], HostData.f32Bytes(src[which]), DType.F32);
                }
                return views;
            }
        }
    }

    /** The query rows a case checks: all, or the first and last 32 and seeded random ones. */
    static int[] checkedRows(int sq, int sampled) {
        if (sampled == 0 || sampled >= sq) {
            return IntStream.range(0, sq).toArray();
        }
        TreeSet<Integer> rows = new TreeSet<>();
        for (int i = 0; i < 32; i++) {
            rows.add(i);
            rows.add(sq - 1 - i);
        }
        Random r = new Random(401);
        while (rows.size() < sampled) {
            rows.add(r.nextInt(sq));
        }
        return rows.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * fp64 softmax attention of the given query rows: {@code [0]} = out [rows][H * Dh], {@code [1]} = lse [H][rows].
     * Rows whose keys are all masked give 0 and -inf.
     */
    static double[][] reference(float[] q, float[] k, float[] v, float[] bias, int h, int sq, int sk, int dh,
                                float scale, boolean causal, int[] rows) {
        double[] out = new double[rows.length * h * dh];
        double[] lse = new double[h * rows.length];
        IntStream.range(0, h * rows.length).parallel().forEach(idx -> {
            int hh = idx / rows.length, ri = idx % rows.length, i = rows[ri];
            double[] p = new double[sk];
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < sk; j++) {
                if (causal && j > i) {
                    p[j] = Double.NEGATIVE_INFINITY;
                    continue;
                }
                double dot = 0;
                int qi = (hh * sq + i) * dh, kj = (hh * sk + j) * dh;
                for (int d = 0; d < dh; d++) {
                    dot += (double) q[qi + d] * k[kj + d];
                }
                p[j] = dot * scale + (bias == null ? 0 : bias[(int) (((long) hh * sq + i) * sk + j)]);
                m = Math.max(m, p[j]);
            }
            double l = 0;
            for (int j = 0; j < sk; j++) {
                p[j] = p[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(p[j] - m);
                l += p[j];
            }
            lse[hh * rows.length + ri] = l > 0 ? m + Math.log(l) : Double.NEGATIVE_INFINITY;
            for (int d = 0; d < dh; d++) {
                double acc = 0;
                for (int j = 0; j < sk; j++) {
                    if (p[j] != 0) {
                        acc += p[j] * v[(hh * sk + j) * dh + d];
                    }
                }
                out[(ri * h + hh) * dh + d] = l > 0 ? acc / l : 0;
            }
        });
        return new double[][] {out, lse};
    }

    /** The checked rows of a downloaded [Sq, C] matrix. */
    static float[] pick(float[] all, int[] rows, int cols) {
        float[] got = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(all, rows[i] * cols, got, i * cols, cols);
        }
        return got;
    }

    static float[] bias(int h, int sq, int sk) {
        long n = (long) h * sq * sk;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bias too large for a host array: " + n);
        }
        return randn((int) n, 402, 2);
    }

    static void masked(Case cs) {
        int h = cs.h(), sq = cs.sq(), sk = cs.sk(), dh = cs.dh();
        float[] q = roundTo(randn(h * sq * dh, 403, 1), cs.in());
        float[] k = roundTo(randn(h * sk * dh, 404, 1), cs.in());
        float[] v = roundTo(randn(h * sk * dh, 405, 1), cs.in());
        float[] b = cs.bias() ? bias(h, sq, sk) : null;
        Tensor[] qkv = uploadQkv(cs, q, k, v);
        Tensor tb = b == null ? null : upload(b, DType.F32, h, sq, sk);
        Tensor out = poisoned(cs.out(), sq, (long) h * dh);
        ops().maskedAttention(out, qkv[0], qkv[1], qkv[2], cs.scale(), cs.causal(), tb);
        int[] rows = checkedRows(sq, cs.sampled());
        double[][] ref = reference(q, k, v, b, h, sq, sk, dh, cs.scale(), cs.causal(), rows);
        float[] all = download(out);
        String what = "maskedAttention " + cs.in() + (cs.out() != cs.in() ? " -> " + cs.out() : "") + " H=" + h
                + " Sq=" + sq + " Sk=" + sk + " Dh=" + dh + (cs.causal() ? " causal" : "") + (b != null ? " bias" : "")
                + " " + cs.layout().name().toLowerCase(Locale.ROOT) + (rows.length < sq ? " (" + rows.length + " rows)" : "");
        HostData.requireWritten(what + " (every output element)", all);
        requireClose(what, pick(all, rows, h * dh), ref[0], Math.max(tolGemm(cs.in()), tolGemm(cs.out())));
        if (cs.timed()) {
            double ms = time(what, 5, () -> ops().maskedAttention(out, qkv[0], qkv[1], qkv[2], cs.scale(),
                    cs.causal(), tb));
            double flop = 4.0 * h * sq * sk * dh;
            System.out.printf(Locale.ROOT, "     %s: %.1f TFLOP/s%n", what, flop / 1e12 / (ms / 1e3));
        }
    }

    /** Row 1 of head 0 has a bias of -inf at every key: its output is 0 (PyTorch would give NaN); the rest is as usual. */
    static void maskedRowAllMasked(DType dt) {
        int h = 2, s = 33, dh = 64;
        float[] q = roundTo(randn(h * s * dh, 406, 1), dt);
        float[] k = roundTo(randn(h * s * dh, 407, 1), dt);
        float[] v = roundTo(randn(h * s * dh, 408, 1), dt);
        float[] b = bias(h, s, s);
        for (int j = 0; j < s; j++) {
            b[s + j] = Float.NEGATIVE_INFINITY;
        }
        Tensor out = poisoned(dt, s, (long) h * dh);
        ops().maskedAttention(out, upload(q, dt, h, s, dh), upload(k, dt, h, s, dh), upload(v, dt, h, s, dh), 0.125f,
                false, upload(b, DType.F32, h, s, s));
        int[] rows = IntStream.range(0, s).toArray();
        double[][] ref = reference(q, k, v, b, h, s, s, dh, 0.125f, false, rows);
        float[] got = download(out);
        for (int d = 0; d < dh; d++) {
            if (got[h * dh + d] != 0f) {
                throw new AssertionError("maskedAttention " + dt + ": the fully masked row 1 of head 0 has " + got[h * dh + d]
                        + " at d = " + d + ", expected 0");
            }
        }
        requireClose("maskedAttention " + dt + " H=2 S=33 Dh=64 bias with one row all -inf", got, ref[0], tolGemm(dt));
    }

    /**
     * {@code ops().attention} with lse at a head dim Attention's kernels refuse; {@code parts} > 1: out as
     * [parts, Sq / parts, H*Dh] views of a buffer with 3 poisoned rows after each part, which must stay NaN.
     */
    static void attention(DType in, DType outType, int h, int sq, int sk, int dh, int parts) {
        float scale = (float) (1 / Math.sqrt(dh));
        float[] q = roundTo(randn(h * sq * dh, 411, 1), in);
        float[] k = roundTo(randn(h * sk * dh, 412, 1), in);
        float[] v = roundTo(randn(h * sk * dh, 413, 1), in);
        long partRows = sq / parts;
        Tensor buf = poisoned(outType, parts, partRows + 3, (long) h * dh);
        Tensor out = parts == 1 ? poisoned(outType, sq, (long) h * dh) : buf.narrow(1, 0, partRows);
        Tensor lse = poisoned(DType.F32, h, sq);
        ops().attention(out, lse, upload(q, in, h, sq, dh), upload(k, in, h, sk, dh), upload(v, in, h, sk, dh), scale);
        int[] rows = IntStream.range(0, sq).toArray();
        double[][] ref = reference(q, k, v, null, h, sq, sk, dh, scale, false, rows);
        float[] got = new float[sq * h * dh];
        for (int i = 0; i < parts; i++) {
            Tensor part = parts == 1 ? out : out.narrow(0, i, 1);
            System.arraycopy(download(part), 0, got, (int) (i * partRows * h * dh), (int) (partRows * h * dh));
            if (parts > 1) {
                for (float f : download(buf.narrow(0, i, 1).narrow(1, partRows, 3))) {
                    if (!Float.isNaN(f)) {
                        throw new AssertionError("attention Dh=" + dh + ": wrote " + f + " in the gap after part " + i);
                    }
                }
            }
        }
        String what = "attention " + in + " Dh=" + dh + " H=" + h + " Sq=" + sq + " Sk=" + sk + " out " + outType
                + (parts > 1 ? " in " + parts + " parts" : "");
        double tol = Math.max(tolGemm(in), tolGemm(outType));
        requireClose(what + " out", got, ref[0], tol);
        requireClose(what + " lse", download(lse), ref[1], tolGemm(in));
    }
}
