package dev.sparkdit.gputest;

import dev.sparkdit.cuda.Attention;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

import static dev.sparkdit.gputest.GpuFixture.check;
import static dev.sparkdit.gputest.GpuFixture.download;
import static dev.sparkdit.gputest.GpuFixture.ops;
import static dev.sparkdit.gputest.GpuFixture.poisoned;
import static dev.sparkdit.gputest.GpuFixture.upload;
import static dev.sparkdit.gputest.HostData.randn;
import static dev.sparkdit.gputest.HostData.requireClose;
import static dev.sparkdit.gputest.HostData.requireWritten;
import static dev.sparkdit.gputest.HostData.roundTo;
import static dev.sparkdit.gputest.HostData.tol;

/**
 * {@code Attention}: out and lse against an fp64 softmax(q k^T * scale) v, for every dtype and head dim, every
 * variant of the bf16 head-dim-128 kernel (v1, v2, v11; off a Hopper v11 runs v2), token-major q/k/v read in place,
 * split tails and whole tiles, and out in row parts (the rows between parts must stay untouched).
 */
final class AttentionChecks {
    private AttentionChecks() {
    }

    static List<GpuCheck> all() {
        List<GpuCheck> c = new ArrayList<>();
        c.add(check("attention F32 Dh=64 Sq=77 Sk=100", () -> attention(DType.F32, DType.F32, 3, 77, 100, 64)));
        c.add(check("attention F32 Dh=128 Sq=40 Sk=129 out BF16", () -> attention(DType.F32, DType.BF16, 2, 40, 129, 128)));
        c.add(check("attention BF16 Dh=128 Sq=200 Sk=300 out F32", () -> attention(DType.BF16, DType.F32, 3, 200, 300, 128)));
        c.add(check("attention BF16 Dh=128 Sq=130 Sk=64 out BF16", () -> attention(DType.BF16, DType.BF16, 2, 130, 64, 128)));
        c.add(check("attention BF16 Dh=64 Sq=65 Sk=1", () -> attention(DType.BF16, DType.F32, 2, 65, 1, 64)));
        c.add(check("attention BF16 Dh=32 Sq=100 Sk=257", () -> attention(DType.BF16, DType.F32, 4, 100, 257, 32)));
        c.add(check("attention BF16 Dh=128 FLUX keys Sq=256 Sk=4608", () -> attention(DType.BF16, DType.F32, 2, 256, 4608, 128)));
        for (String va : Attention.VARIANTS.subList(1, Attention.VARIANTS.size())) {  // v2, v11
            String p = "attention " + va + " BF16 Dh=128 ";
            c.add(check(p + "Sq=200 Sk=300 out F32", () -> attention(DType.BF16, DType.F32, 3, 200, 300, 128, va)));
            c.add(check(p + "Sq=130 Sk=64 out BF16", () -> attention(DType.BF16, DType.BF16, 2, 130, 64, 128, va)));
            c.add(check(p + "Sq=257 Sk=33 out BF16", () -> attention(DType.BF16, DType.BF16, 2, 257, 33, 128, va)));
            c.add(check(p + "Sq=31 Sk=1 out F32", () -> attention(DType.BF16, DType.F32, 1, 31, 1, 128, va)));
            c.add(check(p + "FLUX keys Sq=256 Sk=4608 out F32", () -> attention(DType.BF16, DType.F32, 2, 256, 4608, 128, va)));
            c.add(check(p + "FLUX keys Sq=300 Sk=4608 out BF16", () -> attention(DType.BF16, DType.BF16, 1, 300, 4608, 128, va)));
            c.add(check(p + "token-major q/k/v [S, 3, H, Dh] S=333 out BF16",
                    () -> attention(DType.BF16, DType.BF16, 3, 333, 333, 128, va, true)));
        }
        // v11 above ran with the scratch arena: those small calls cut every tile along the keys. Here whole
        // tiles, and a call with more tiles than SMs (133 row tiles): full waves plus a split tail.
        String v11 = "attention v11 BF16 Dh=128 ";
        c.add(check(v11 + "whole tiles Sq=200 Sk=300 out F32",
                () -> attention(DType.BF16, DType.F32, 3, 200, 300, 128, "v11", false, false)));
        c.add(check(v11 + "whole tiles Sq=257 Sk=33 out BF16",
                () -> attention(DType.BF16, DType.BF16, 2, 257, 33, 128, "v11", false, false)));
        c.add(check(v11 + "split tail Sq=17024 Sk=500 out F32",
                () -> attention(DType.BF16, DType.F32, 1, 133 * 128, 500, 128, "v11")));
        // Out rows in parts (Ulysses' way back into each owner's window): parts that cut through row tiles,
        // split tail units merged into parts, and the scratch-and-copy path of a variant that cannot write them.
        c.add(check("attention v11 BF16 out in 3 parts of 133 rows, Sk=300, out BF16",
                () -> attention(DType.BF16, DType.BF16, 2, 399, 300, 128, "v11", false, true, 3)));
        c.add(check("attention v11 BF16 out in 2 parts, whole tiles, Sq=258 out F32",
                () -> attention(DType.BF16, DType.F32, 3, 258, 200, 128, "v11", false, false, 2)));
        c.add(check("attention BF16 Dh=64 out in 4 parts (through CudaOps: scratch, then a copy)",
                () -> attention(DType.BF16, DType.F32, 2, 100, 77, 64, null, false, true, 4)));
        return c;
    }

    static void attention(DType in, DType outType, int h, int sq, int sk, int dh) {
        attention(in, outType, h, sq, sk, dh, null);
    }

    /** {@code variant} null: through {@code ops().attention} (the configured variant); else that variant. */
    static void attention(DType in, DType outType, int h, int sq, int sk, int dh, String variant) {
        attention(in, outType, h, sq, sk, dh, variant, false);
    }

    static void attention(DType in, DType outType, int h, int sq, int sk, int dh, String variant, boolean tokenMajor) {
        attention(in, outType, h, sq, sk, dh, variant, tokenMajor, true);
    }

    /**
     * @param tokenMajor q, k and v read in place from one {@code [S, 3, H, Dh]} buffer (row stride
     *                   3*H*Dh, head stride Dh), as Ulysses' even path hands them over; needs sq == sk
     * @param split      the variant's {@link Attention} gets the scratch arena, so v11 may cut its tail along the
     *                   keys ({@code TailSplit}); false: every tile whole
     */
    static void attention(DType in, DType outType, int h, int sq, int sk, int dh, String variant, boolean tokenMajor,
                          boolean split) {
        attention(in, outType, h, sq, sk, dh, variant, tokenMajor, split, 1);
    }

    /**
     * @param parts out as {@code [parts, sq / parts, H*Dh]} views of a buffer with 5 poisoned rows after each
     *              part, which must stay untouched
     */
    static void attention(DType in, DType outType, int h, int sq, int sk, int dh, String variant, boolean tokenMajor,
                          boolean split, int parts) {
        float scale = (float) (1 / Math.sqrt(dh));
        float[] q = roundTo(randn(h * sq * dh, 20, 1), in);
        float[] k = roundTo(randn(h * sk * dh, 21, 1), in);
        float[] v = roundTo(randn(h * sk * dh, 22, 1), in);
        Tensor[] qkv = uploadQkv(in, q, k, v, h, sq, sk, dh, tokenMajor);
        Tensor tq = qkv[0], tk = qkv[1], tv = qkv[2];
        long partRows = sq / parts;
        Tensor partsBuf = poisoned(outType, parts, partRows + 5, (long) h * dh);
        Tensor out = parts == 1 ? poisoned(outType, sq, (long) h * dh) : partsBuf.narrow(1, 0, partRows);
        Tensor lse = poisoned(DType.F32, h, sq);
        if (variant == null) {
            ops().attention(out, lse, tq, tk, tv, scale);
        } else {
            new Attention(ops().kernels(), ops().stream(), split ? ops().scratch() : null)
                    .run(out, lse, tq, tk, tv, scale, variant);
        }
        double[] ro = new double[sq * h * dh], rl = new double[h * sq];
        double[] p = new double[sk];
        for (int hh = 0; hh < h; hh++) {
            for (int i = 0; i < sq; i++) {
                double m = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < sk; j++) {
                    double dot = 0;
                    int qi = (hh * sq + i) * dh, kj = (hh * sk + j) * dh;
                    for (int d = 0; d < dh; d++) {
                        dot += (double) q[qi + d] * k[kj + d];
                    }
                    p[j] = dot * scale;
                    m = Math.max(m, p[j]);
                }
                double l = 0;
                for (int j = 0; j < sk; j++) {
                    p[j] = Math.exp(p[j] - m);
                    l += p[j];
                }
                rl[hh * sq + i] = m + Math.log(l);
                for (int d = 0; d < dh; d++) {
                    double acc = 0;
                    for (int j = 0; j < sk; j++) {
                        acc += p[j] * v[(hh * sk + j) * dh + d];
                    }
                    ro[i * h * dh + hh * dh + d] = acc / l;
                }
            }
        }
        String what = "attention " + (variant == null ? "" : variant + " ") + in + " Dh=" + dh + " Sq=" + sq + " Sk=" + sk
                + (tokenMajor ? " token-major" : "");
        float[] got = new float[sq * h * dh];
        for (int i = 0; i < parts; i++) {
            Tensor part = parts == 1 ? out : out.narrow(0, i, 1);
            System.arraycopy(download(part), 0, got, (int) (i * partRows * h * dh), (int) (partRows * h * dh));
            if (parts > 1) {
                for (float f : download(partsBuf.narrow(0, i, 1).narrow(1, partRows, 5))) {
                    if (!Float.isNaN(f)) {
                        throw new AssertionError(what + ": wrote " + f + " in the gap after part " + i);
                    }
                }
            }
        }
        what += parts > 1 ? " in " + parts + " parts" : "";
        requireClose(what + " out", got, ro, Math.max(tol(in), tol(outType)));
        requireClose(what + " lse", download(lse), rl, tol(in));
    }

    /**
     * q, k, v given head-major ({@code [H, S, Dh]} each) on the GPU: as three tensors, or with {@code tokenMajor}
     * read in place from one {@code [S, 3, H, Dh]} buffer (row stride 3*H*Dh, head stride Dh), as Ulysses' even
     * path hands them over; that needs sq == sk.
     */
    static Tensor[] uploadQkv(DType in, float[] q, float[] k, float[] v, int h, int sq, int sk, int dh,
                              boolean tokenMajor) {
        if (!tokenMajor) {
            return new Tensor[] {upload(q, in, h, sq, dh), upload(k, in, h, sk, dh), upload(v, in, h, sk, dh)};
        }
        if (sq != sk) {
            throw new IllegalArgumentException("token-major q/k/v need sq == sk, got " + sq + ", " + sk);
        }
        float[] all = new float[3 * h * sq * dh];
        float[][] src = {q, k, v};
        for (int t = 0; t < 3; t++) {
            for (int hh = 0; hh < h; hh++) {
                for (int i = 0; i < sq; i++) {
                    System.arraycopy(src[t], (hh * sq + i) * dh, all, ((i * 3 + t) * h + hh) * dh, dh);
                }
            }
        }
        Tensor buf = upload(all, in, sq, 3, h, dh);
        long[] shape = {h, sq, dh};
        long[] strides = {dh, 3L * h * dh, 1};
        Tensor[] views = new Tensor[3];
        for (int t = 0; t < 3; t++) {
            views[t] = new Tensor(buf.address() + (long) t * h * dh * in.bytes(), buf.device(), in, shape, strides);
        }
        return views;
    }
}
