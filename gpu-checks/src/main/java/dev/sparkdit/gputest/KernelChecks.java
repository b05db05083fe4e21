package dev.sparkdit.gputest;

import dev.sparkdit.cuda.Attention;
import dev.sparkdit.cuda.CudaGraph;
import dev.sparkdit.cuda.CudaOps;
import dev.sparkdit.ops.Activation;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static dev.sparkdit.gputest.GpuFixture.download;
import static dev.sparkdit.gputest.GpuFixture.ops;
import static dev.sparkdit.gputest.GpuFixture.poison;
import static dev.sparkdit.gputest.GpuFixture.poisoned;
import static dev.sparkdit.gputest.GpuFixture.upload;
import static dev.sparkdit.gputest.HostData.randn;
import static dev.sparkdit.gputest.HostData.requireClose;
import static dev.sparkdit.gputest.HostData.requireWritten;
import static dev.sparkdit.gputest.HostData.roundTo;

/**
 * Every CUDA kernel (and the cuBLASLt GEMM, and graph replay) against a plain-Java fp64 reference on
 * fresh seeded inputs. Inputs are rounded to the storage dtype on the host first, so the reference
 * sees exactly what the device sees. Outputs are poisoned with NaN before each run and every element
 * must come back written. Tolerances (relative L2): fp32 1e-5, bf16 1e-2, lse like its dtype.
 */
public final class KernelChecks {
    static final double TOL_F32 = 1e-5;
    static final double TOL_BF16 = 1e-2;

    private KernelChecks() {
    }

    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    /** A check that gives its scratch memory back afterwards. */
    static GpuCheck check(String name, Body body) {
        return new GpuCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void run() throws Exception {
                CudaOps o = ops();
                long mark = o.scratch().mark();
                try {
                    body.run();
                } finally {
                    o.synchronize();
                    o.scratch().reset(mark);
                }
            }
        };
    }

    static double tol(DType dt) {
        return dt == DType.F32 ? TOL_F32 : TOL_BF16;
    }

    public static List<GpuCheck> all() {
        List<GpuCheck> c = new ArrayList<>();
        c.add(check("convert f32->bf16->f32 (row-strided)", KernelChecks::convertBf16));
        c.add(check("convert f32->f16->f32", KernelChecks::convertF16));
        c.add(check("strided copy BF16 Ulysses packing [U, 3, hu, P, Dh] <- [H, S, Dh]", KernelChecks::stridedPack));
        c.add(check("strided copy F32 transposed and odd-width views", KernelChecks::stridedTransposed));
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            c.add(check("add " + dt, () -> add(dt)));
            c.add(check("activation SILU " + dt, () -> activation(dt, Activation.SILU)));
            c.add(check("activation GELU_TANH " + dt, () -> activation(dt, Activation.GELU_TANH)));
            c.add(check("add_gated " + dt, () -> addGated(dt, 3072)));
            c.add(check("add_gated " + dt + " cols=3070 (no vectors)", () -> addGated(dt, 3070)));
            c.add(check("layer_norm_modulate " + dt + " D=3072 row-strided", () -> layerNorm(dt, 37, 3072, true)));
            c.add(check("layer_norm_modulate " + dt + " D=100", () -> layerNorm(dt, 19, 100, false)));
            c.add(check("layer_norm_modulate " + dt + " D=4096 (bf16: a block per row)", () -> layerNorm(dt, 11, 4096,
                    false)));
            c.add(check("qk_norm_rope " + dt + " rope F32", () -> qkNormRope(dt, DType.F32, 24, 3, 128, 5)));
            c.add(check("timestep_embedding " + dt, () -> timestep(dt)));
        }
        c.add(check("qk_norm_rope BF16 rope BF16 Dh=64", () -> qkNormRope(DType.BF16, DType.BF16, 9, 2, 64, 0)));
        c.add(check("qk_norm_rope BF16 rope BF16 Dh=128", () -> qkNormRope(DType.BF16, DType.BF16, 9, 2, 128, 3)));
        c.add(check("qk_norm_rope BF16 rope F32 Dh=128 qkv 2-byte aligned (no vectors)",
                () -> qkNormRope(DType.BF16, DType.F32, 24, 3, 128, 5, 1)));
        c.add(check("qk_norm_rope BF16 Dh=128 into head groups (peer window layout)",
                () -> qkNormRopeGrouped(DType.BF16, 128)));
        c.add(check("qk_norm_rope F32 Dh=64 into head groups", () -> qkNormRopeGrouped(DType.F32, 64)));
        c.add(check("merge_attention F32 (with -inf lse)", KernelChecks::merge));
        c.add(check("attention F32 Dh=64 Sq=77 Sk=100", () -> attention(DType.F32, DType.F32, 3, 77, 100, 64)));
        c.add(check("attention F32 Dh=128 Sq=40 Sk=129 out BF16", () -> attention(DType.F32, DType.BF16, 2, 40, 129, 128)));
        c.add(check("attention BF16 Dh=128 Sq=200 Sk=300 out F32", () -> attention(DType.BF16, DType.F32, 3, 200, 300, 128)));
        c.add(check("attention BF16 Dh=128 Sq=130 Sk=64 out BF16", () -> attention(DType.BF16, DType.BF16, 2, 130, 64, 128)));
        c.add(check("attention BF16 Dh=64 Sq=65 Sk=1", () -> attention(DType.BF16, DType.F32, 2, 65, 1, 64)));
        c.add(check("attention BF16 Dh=32 Sq=100 Sk=257", () -> attention(DType.BF16, DType.F32, 4, 100, 257, 32)));
        c.add(check("attention BF16 Dh=128 FLUX keys Sq=256 Sk=4608", () -> attention(DType.BF16, DType.F32, 2, 256, 4608, 128)));
        for (String va : Attention.VARIANTS.subList(1, Attention.VARIANTS.size())) {
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
        // v7 / v8 above ran with the scratch arena: those small calls cut every tile along the keys. Here whole
        // tiles, and a call with more tiles than SMs (133 row tiles): full waves plus a split tail.
        for (String va : java.util.List.of("v7", "v8", "v9", "v10", "v11")) {
            String p = "attention " + va + " BF16 Dh=128 ";
            c.add(check(p + "whole tiles Sq=200 Sk=300 out F32",
                    () -> attention(DType.BF16, DType.F32, 3, 200, 300, 128, va, false, false)));
            c.add(check(p + "whole tiles Sq=257 Sk=33 out BF16",
                    () -> attention(DType.BF16, DType.BF16, 2, 257, 33, 128, va, false, false)));
        }
        c.add(check("attention v7 BF16 Dh=128 split tail Sq=17024 Sk=500 out F32",
                () -> attention(DType.BF16, DType.F32, 1, 133 * 128, 500, 128, "v7")));
        // v11 only moves where v10 waits for a wgmma: the same arithmetic in the same order, so the same bits.
        c.add(check("attention v11 == v10 bitwise, 12 heads Sq=4608 Sk=4608 (FLUX, Ulysses 2), split tail",
                () -> attentionSameBits("v11", "v10", 12, 4608, 4608, false)));
        c.add(check("attention v11 == v10 bitwise, token-major q/k/v S=1000",
                () -> attentionSameBits("v11", "v10", 3, 1000, 1000, true)));
        // Out rows in parts (Ulysses' way back into each owner's window): parts that cut through row tiles,
        // split tail units merged into parts, and the scratch-and-copy path of a variant that cannot write them.
        for (String va : java.util.List.of("v7", "v8", "v9", "v10", "v11")) {
            c.add(check("attention " + va + " BF16 out in 3 parts of 133 rows, Sk=300, out BF16",
                    () -> attention(DType.BF16, DType.BF16, 2, 399, 300, 128, va, false, true, 3)));
        }
        c.add(check("attention v7 BF16 out in 2 parts, whole tiles, Sq=258 out F32",
                () -> attention(DType.BF16, DType.F32, 3, 258, 200, 128, "v7", false, false, 2)));
        c.add(check("attention BF16 Dh=64 out in 4 parts (through CudaOps: scratch, then a copy)",
                () -> attention(DType.BF16, DType.F32, 2, 100, 77, 64, null, false, true, 4)));
        c.add(check("fp8 e4m3 quantize/dequantize [S,H,Dh]", KernelChecks::fp8));
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            for (Activation act : Activation.values()) {
                c.add(check("linear " + dt + " bias " + act, () -> linear(dt, true, act, false)));
            }
            c.add(check("linear " + dt + " no bias", () -> linear(dt, false, Activation.NONE, false)));
            c.add(check("linear " + dt + " no bias GELU_TANH row-strided out", () -> linear(dt, false, Activation.GELU_TANH, true)));
        }
        for (Activation act : new Activation[] {Activation.NONE, Activation.GELU_TANH}) {
            c.add(check("linear fp8 e4m3 (row scales) bias " + act, () -> linearFp8(true, act)));
        }
        c.add(check("linear fp8 e4m3 (row scales) no bias", () -> linearFp8(false, Activation.NONE)));
        // Row quantization alone: short rows (K = 3072), long rows in registers (15360) and rows too long for them.
        for (int k : new int[] {3072, 15360, 16400}) {
            c.add(check("fp8 e4m3 row quantize K=" + k, () -> fp8Rows(5, k)));
        }
        c.add(check("cuda graph capture/replay == direct launches", KernelChecks::graph));
        c.add(check("concurrently: side-stream work == sequential, direct and from a graph", KernelChecks::concurrent));
        return c;
    }

    // ---- data movement ------------------------------------------------------------------------------

    static void convertBf16() {
        int rows = 33, cols = 70, wide = 96;
        float[] v = randn(rows * cols, 1, 3.0);
        Tensor srcWide = poisoned(DType.F32, rows, wide);
        Tensor src = srcWide.narrow(1, 13, cols);
        ops().copyFromHost(src, HostData.f32Bytes(v), DType.F32);  // host -> strided f32
        Tensor dstWide = poisoned(DType.BF16, rows, wide);
        Tensor dst = dstWide.narrow(1, 5, cols);
        ops().copy(dst, src);
        float[] got = download(dst);
        float[] want = roundTo(v, DType.BF16);
        requireWritten("convert f32->bf16", got);
        for (int i = 0; i < got.length; i++) {
            if (Float.compare(got[i], want[i]) != 0) {
                throw new AssertionError("convert f32->bf16: element " + i + " is " + got[i] + ", round-to-nearest-even"
                        + " of " + v[i] + " is " + want[i]);
            }
        }
        float[] all = download(dstWide);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < wide; c++) {
                boolean inside = c >= 5 && c < 5 + cols;
                if (!inside && !Float.isNaN(all[r * wide + c])) {
                    throw new AssertionError("convert wrote outside its view at row " + r + ", column " + c);
                }
            }
        }
    }

    static void convertF16() {
        int n = 4096;
        float[] v = randn(n, 2, 10.0);
        Tensor src = upload(v, DType.F32, n);
        Tensor half = poisoned(DType.F16, n);
        Tensor back = poisoned(DType.F32, n);
        ops().copy(half, src);
        ops().copy(back, half);
        requireClose("convert f32->f16->f32", download(back), HostData.toDouble(v), 1e-3);
    }

    /** q [H, S, Dh] into slot t = 1 of a [U, 3, hu, P, Dh] send buffer, as Ulysses packs it (S < P). */
    static void stridedPack() {
        int u = 2, hu = 3, h = u * hu, p = 37, s = 35, dh = 64;
        float[] q = roundTo(randn(h * s * dh, 11, 1), DType.BF16);
        Tensor src = upload(q, DType.BF16, h, s, dh);
        Tensor send = poisoned(DType.BF16, u, 3, hu, p, dh);
        long chunk = 3L * hu * p * dh;
        Tensor to = new Tensor(send.address() + (long) hu * p * dh * 2, send.device(), DType.BF16,
                new long[] {u, hu, s, dh}, new long[] {chunk, (long) p * dh, dh, 1});
        ops().copy(to, src.view(u, hu, s, dh));
        float[] got = download(send);
        for (int i = 0; i < got.length; i++) {
            int d = i % dh, row = i / dh % p, head = i / (dh * p) % hu, slot = i / (dh * p * hu) % 3, rank = i / (int) chunk;
            boolean written = slot == 1 && row < s;
            float want = written ? q[((rank * hu + head) * s + row) * dh + d] : Float.NaN;
            if (Float.compare(got[i], want) != 0) {
                throw new AssertionError("strided pack: send[" + rank + ", " + slot + ", " + head + ", " + row + ", " + d
                        + "] is " + got[i] + ", expected " + want + (written ? "" : " (outside the view: untouched)"));
            }
        }
    }

    /** A column-major source (inner stride 5) and rows of 7 floats inside rows of 9: element units. */
    static void stridedTransposed() {
        int rows = 7, cols = 5;
        float[] v = randn(rows * cols, 12, 1);
        Tensor colMajor = upload(v, DType.F32, cols, rows);  // v[c * rows + r] is element (r, c)
        Tensor t = new Tensor(colMajor.address(), colMajor.device(), DType.F32, new long[] {rows, cols},
                new long[] {1, rows});
        Tensor wide = poisoned(DType.F32, rows, cols + 4);
        ops().copy(wide.narrow(1, 2, cols), t);
        float[] got = download(wide);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols + 4; c++) {
                float want = c >= 2 && c < 2 + cols ? v[(c - 2) * rows + r] : Float.NaN;
                if (Float.compare(got[r * (cols + 4) + c], want) != 0) {
                    throw new AssertionError("strided transpose: (" + r + ", " + c + ") is " + got[r * (cols + 4) + c]
                            + ", expected " + want);
                }
            }
        }
    }

    // ---- elementwise ----------------------------------------------------------------------------------

    static void add(DType dt) {
        int rows = 41, cols = 300;
        float[] a = roundTo(randn(rows * cols, 3, 1), dt), b = roundTo(randn(rows * cols, 4, 1), dt);
        Tensor ta = upload(a, dt, rows, cols);
        Tensor tbWide = upload(roundTo(randn(rows * 320, 4, 1), dt), dt, rows, 320);
        Tensor tb = tbWide.narrow(1, 20, cols);
        ops().copyFromHost(tb, HostData.f32Bytes(b), DType.F32);
        Tensor out = poisoned(dt, rows, cols);
        ops().add(out, ta, tb);
        double[] ref = new double[rows * cols];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = (double) a[i] + b[i];
        }
        requireClose("add " + dt, download(out), ref, tol(dt));
    }

    static double act(double x, Activation act) {
        return switch (act) {
            case NONE -> x;
            case SILU -> x / (1 + Math.exp(-x));
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            case QUICK_GELU -> x / (1 + Math.exp(-1.702 * x));
        };
    }

    static void activation(DType dt, Activation a) {
        int rows = 17, cols = 1000;
        float[] x = roundTo(randn(rows * cols, 5, 3), dt);
        Tensor tx = upload(x, dt, rows, cols);
        Tensor out = poisoned(dt, rows, cols);
        ops().activation(out, tx, a);
        double[] ref = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            ref[i] = act(x[i], a);
        }
        requireClose("activation " + a + " " + dt, download(out), ref, tol(dt));
    }

    static void addGated(DType dt, int cols) {
        int rows = 29;
        float[] x = roundTo(randn(rows * cols, 6, 1), dt), y = roundTo(randn(rows * cols, 7, 1), dt);
        float[] g = roundTo(randn(cols, 8, 1), dt);
        Tensor tx = upload(x, dt, rows, cols), ty = upload(y, dt, rows, cols), tg = upload(g, dt, cols);
        ops().addGated(tx, ty, tg);
        double[] ref = new double[x.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                ref[i] = x[i] + (double) g[c] * y[i];
            }
        }
        requireClose("add_gated " + dt, download(tx), ref, tol(dt));
    }

    // ---- norms ------------------------------------------------------------------------------------------

    static void layerNorm(DType dt, int rows, int d, boolean strided) {
        float eps = 1e-6f;
        float[] x = roundTo(randn(rows * d, 9, 2), dt);
        for (int i = 0; i < x.length; i++) {
            x[i] = HostData.roundTo(new float[] {x[i] + 3f}, dt)[0];  // a mean away from zero
        }
        float[] shift = roundTo(randn(d, 10, 0.5), dt), scale = roundTo(randn(d, 11, 0.5), dt);
        Tensor tx;
        if (strided) {
            tx = poisoned(dt, rows, 2L * d).narrow(1, d, d);
            ops().copyFromHost(tx, HostData.f32Bytes(x), DType.F32);
        } else {
            tx = upload(x, dt, rows, d);
        }
        Tensor emb = upload(concat(shift, scale), dt, 2L * d);  // shift, scale as slices of one vector
        Tensor out = poisoned(dt, rows, d);
        ops().layerNormModulate(out, tx, emb.narrow(0, 0, d), emb.narrow(0, d, d), eps);
        double[] ref = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double mean = 0, var = 0;
            for (int c = 0; c < d; c++) {
                mean += x[r * d + c];
            }
            mean /= d;
            for (int c = 0; c < d; c++) {
                double t = x[r * d + c] - mean;
                var += t * t;
            }
            var /= d;
            double rstd = 1 / Math.sqrt(var + eps);
            for (int c = 0; c < d; c++) {
                ref[r * d + c] = (x[r * d + c] - mean) * rstd * (1 + scale[c]) + shift[c];
            }
        }
        requireClose("layer_norm_modulate " + dt, download(out), ref, tol(dt));
    }

    static float[] concat(float[] a, float[] b) {
        float[] r = new float[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static void qkNormRope(DType dt, DType ropeType, int s, int h, int dh, int offset) {
        qkNormRope(dt, ropeType, s, h, dh, offset, 8);
    }

    /** {@code col}: where qkv starts inside its wider, poisoned rows (elements; 8 keeps bf16 16-byte aligned). */
    static void qkNormRope(DType dt, DType ropeType, int s, int h, int dh, int offset, int col) {
        float eps = 1e-6f;
        int stot = offset + s + 3, w = 3 * h * dh, wide = w + 8;
        float[] qkv = roundTo(randn(s * w, 12, 1.5), dt);
        float[] nq = roundTo(HostData.uniform(dh, 13, 0.5, 1.5), dt), nk = roundTo(HostData.uniform(dh, 14, 0.5, 1.5), dt);
        float[] ang = HostData.uniform(s * dh, 15, -3, 3);
        float[] cos = new float[ang.length], sin = new float[ang.length];
        for (int i = 0; i < ang.length; i++) {
            cos[i] = (float) Math.cos(ang[i]);
            sin[i] = (float) Math.sin(ang[i]);
        }
        cos = roundTo(cos, ropeType);
        sin = roundTo(sin, ropeType);
        Tensor tqkv = poisoned(dt, s, wide).narrow(1, col, w);
        ops().copyFromHost(tqkv, HostData.f32Bytes(qkv), DType.F32);
        Tensor tq = poisoned(dt, h, stot, dh), tk = poisoned(dt, h, stot, dh), tv = poisoned(dt, h, stot, dh);
        ops().qkNormRope(tqkv, upload(nq, dt, dh), upload(nk, dt, dh), eps, upload(cos, ropeType, s, dh),
                upload(sin, ropeType, s, dh), tq, tk, tv, offset);
        float[] gq = download(tq), gk = download(tk), gv = download(tv);
        for (int part = 0; part < 3; part++) {
            float[] got = part == 0 ? gq : part == 1 ? gk : gv;
            float[] wts = part == 0 ? nq : nk;
            double[] ref = new double[h * s * dh];
            float[] sel = new float[h * s * dh];
            for (int hh = 0; hh < h; hh++) {
                for (int t = 0; t < s; t++) {
                    int src = t * w + (part * h + hh) * dh;
                    int dst = (hh * stot + offset + t) * dh;
                    int r0 = (hh * s + t) * dh;
                    double ss = 0;
                    for (int d = 0; d < dh; d++) {
                        ss += (double) qkv[src + d] * qkv[src + d];
                    }
                    double rinv = 1 / Math.sqrt(ss / dh + eps);
                    for (int i = 0; i < dh / 2; i++) {
                        int i0 = 2 * i, i1 = 2 * i + 1;
                        sel[r0 + i0] = got[dst + i0];
                        sel[r0 + i1] = got[dst + i1];
                        if (part == 2) {
                            ref[r0 + i0] = qkv[src + i0];
                            ref[r0 + i1] = qkv[src + i1];
                            continue;
                        }
                        double a = qkv[src + i0] * rinv * wts[i0], b = qkv[src + i1] * rinv * wts[i1];
                        int ci = t * dh;
                        ref[r0 + i0] = a * cos[ci + i0] - b * sin[ci + i0];
                        ref[r0 + i1] = b * cos[ci + i1] + a * sin[ci + i1];
                    }
                }
                for (int t = 0; t < stot; t++) {
                    if (t >= offset && t < offset + s) {
                        continue;
                    }
                    if (!Float.isNaN(got[(hh * stot + t) * dh])) {
                        throw new AssertionError("qk_norm_rope wrote row " + t + " of head " + hh + " outside ["
                                + offset + ", " + (offset + s) + ")");
                    }
                }
            }
            requireClose("qk_norm_rope " + "qkv".charAt(part) + " " + dt, sel, ref, tol(dt));
        }
    }

    /**
     * q, k, v as {@code [G, H/G, Stot, Dh]} views interleaved per row inside parts with gaps between them
     * (Ulysses' peer window) must hold exactly what the contiguous call writes (checked against fp64
     * above), and nothing else of the parts may change.
     */
    static void qkNormRopeGrouped(DType dt, int dh) {
        int s = 9, groups = 2, hpg = 3, h = groups * hpg, offset = 2, stot = offset + s + 1;
        long row = 3L * hpg * dh, part = stot * row + 64; // 64 elements between parts stay untouched
        float eps = 1e-6f;
        Tensor qkv = upload(roundTo(randn(s * 3 * h * dh, 21, 1.5), dt), dt, s, 3L * h * dh);
        Tensor nq = upload(roundTo(HostData.uniform(dh, 22, 0.5, 1.5), dt), dt, dh);
        Tensor nk = upload(roundTo(HostData.uniform(dh, 23, 0.5, 1.5), dt), dt, dh);
        Tensor cos = upload(HostData.uniform(s * dh, 24, -1, 1), DType.F32, s, dh);
        Tensor sin = upload(HostData.uniform(s * dh, 25, -1, 1), DType.F32, s, dh);
        Tensor tq = poisoned(dt, h, stot, dh), tk = poisoned(dt, h, stot, dh), tv = poisoned(dt, h, stot, dh);
        ops().qkNormRope(qkv, nq, nk, eps, cos, sin, tq, tk, tv, offset);
        Tensor win = poisoned(dt, groups * part);
        Tensor[] g = new Tensor[3];
        for (int i = 0; i < 3; i++) {
            g[i] = new Tensor(win.address() + (long) i * hpg * dh * dt.bytes(), win.device(), dt,
                    new long[] {groups, hpg, stot, dh}, new long[] {part, dh, row, 1});
        }
        ops().qkNormRope(qkv, nq, nk, eps, cos, sin, g[0], g[1], g[2], offset);
        float[] got = download(win);
        float[][] want = {download(tq), download(tk), download(tv)};
        boolean[] written = new boolean[got.length];
        for (int t = 0; t < 3; t++) {
            for (int hh = 0; hh < h; hh++) {
                for (int r = offset; r < offset + s; r++) {
                    for (int d = 0; d < dh; d++) {
                        int at = (int) ((hh / hpg) * part + t * hpg * dh + (hh % hpg) * dh + r * row + d);
                        float w = want[t][(hh * stot + r) * dh + d];
                        written[at] = true;
                        if (Float.compare(got[at], w) != 0) {
                            throw new AssertionError("qk_norm_rope grouped " + dt + ": " + "qkv".charAt(t) + " head "
                                    + hh + " row " + r + " element " + d + " is " + got[at] + ", contiguous call wrote " + w);
                        }
                    }
                }
            }
        }
        for (int i = 0; i < got.length; i++) {
            if (!written[i] && !Float.isNaN(got[i])) {
                throw new AssertionError("qk_norm_rope grouped " + dt + " wrote element " + i + " of the parts ("
                        + got[i] + "), outside its rows");
            }
        }
    }

    static void timestep(DType dt) {
        int dim = 256;
        float tScale = 1000f;
        float t = 0.731f;
        Tensor tt = upload(new float[] {t}, DType.F32, 1);
        Tensor out = poisoned(dt, dim);
        ops().timestepEmbedding(out, tt, tScale);
        double[] ref = new double[dim];
        int half = dim / 2;
        float targ = t * tScale;
        for (int i = 0; i < half; i++) {
            // the kernel's fp32 argument (t * f_i rounded to float), then exact cos/sin: what torch computes too
            float f = (float) Math.exp(-9.210340371976184f * (float) i / (float) half);
            float a = targ * f;
            ref[i] = Math.cos(a);
            ref[half + i] = Math.sin(a);
        }
        requireClose("timestep_embedding " + dt, download(out), ref, tol(dt));
    }

    // ---- attention --------------------------------------------------------------------------------------

    static void merge() {
        int s = 50, h = 3, dh = 64;
        float[] o = randn(s * h * dh, 16, 1), ob = randn(s * h * dh, 17, 1);
        float[] l = randn(h * s, 18, 2), lb = randn(h * s, 19, 2);
        l[5] = Float.NEGATIVE_INFINITY;      // empty running block: takes B
        lb[7] = Float.NEGATIVE_INFINITY;     // empty B: unchanged
        Tensor to = upload(o, DType.F32, s, h * dh), tob = upload(ob, DType.F32, s, h * dh);
        Tensor tl = upload(l, DType.F32, h, s), tlb = upload(lb, DType.F32, h, s);
        ops().mergeAttention(to, tl, tob, tlb);
        double[] ro = new double[o.length], rl = new double[l.length];
        for (int hh = 0; hh < h; hh++) {
            for (int t = 0; t < s; t++) {
                double la = l[hh * s + t], lbb = lb[hh * s + t], w;
                if (lbb == Double.NEGATIVE_INFINITY) {
                    w = 0;
                    rl[hh * s + t] = la;
                } else if (la == Double.NEGATIVE_INFINITY) {
                    w = 1;
                    rl[hh * s + t] = lbb;
                } else {
                    w = 1 / (1 + Math.exp(-(lbb - la)));
                    double x = la - lbb;  // logsigmoid(x) = -log1p(exp(-x))
                    rl[hh * s + t] = la + (x >= 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x)));
                }
                for (int d = 0; d < dh; d++) {
                    int i = t * h * dh + hh * dh + d;
                    ro[i] = o[i] - w * (o[i] - ob[i]);
                }
            }
        }
        requireClose("merge_attention out", download(to), ro, TOL_F32);
        requireClose("merge_attention lse", download(tl), rl, TOL_F32);
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
     * @param split      the variant's {@link Attention} gets the scratch arena, so v7 / v8 may cut their tail
     *                   along the keys ({@code TailSplit}); false: every tile whole
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

    /** Two variants on the same bf16 inputs (split tails allowed), bf16 out and lse compared bit for bit. */
    static void attentionSameBits(String a, String b, int h, int sq, int sk, boolean tokenMajor) {
        int dh = 128;
        float scale = (float) (1 / Math.sqrt(dh));
        DType bf = DType.BF16;
        Tensor[] qkv = uploadQkv(bf, roundTo(randn(h * sq * dh, 24, 1), bf), roundTo(randn(h * sk * dh, 25, 1), bf),
                roundTo(randn(h * sk * dh, 26, 1), bf), h, sq, sk, dh, tokenMajor);
        Tensor tq = qkv[0], tk = qkv[1], tv = qkv[2];
        float[][] outs = new float[2][], lses = new float[2][];
        String[] variants = {a, b};
        for (int i = 0; i < 2; i++) {
            Tensor out = poisoned(DType.BF16, sq, (long) h * dh);
            Tensor lse = poisoned(DType.F32, h, sq);
            new Attention(ops().kernels(), ops().stream(), ops().scratch()).run(out, lse, tq, tk, tv, scale, variants[i]);
            outs[i] = download(out);
            lses[i] = download(lse);
        }
        String what = "attention " + a + " vs " + b + " H=" + h + " Sq=" + sq + " Sk=" + sk + (tokenMajor ? " token-major" : "");
        requireWritten(what + " out", outs[0]);
        requireEqual(what + " out", outs[0], outs[1]);
        requireEqual(what + " lse", lses[0], lses[1]);
    }

    // ---- fp8 --------------------------------------------------------------------------------------------

    static void fp8() {
        int s = 40, h = 6, dh = 128;
        float[] x = roundTo(randn(s * h * dh, 23, 2), DType.BF16);
        for (int i = 0; i < dh; i++) {
            x[i] = 0f;  // one all-zero head: scale 0, zeros back
        }
        Tensor tx = upload(x, DType.BF16, s, h, dh);
        Tensor q = ops().scratch().allocate(DType.F8_E4M3, s, h, dh);
        Tensor scale = poisoned(DType.F32, s, h);
        Tensor back = poisoned(DType.BF16, s, h, dh);
        ops().fp8().quantize(q, scale, tx);
        ops().fp8().dequantize(back, q, scale);
        float[] gs = download(scale);
        double[] rs = new double[s * h];
        for (int r = 0; r < s * h; r++) {
            float amax = 0;
            for (int d = 0; d < dh; d++) {
                amax = Math.max(amax, Math.abs(x[r * dh + d]));
            }
            rs[r] = amax / 448f;
        }
        requireWritten("fp8 scale", gs);
        for (int r = 0; r < s * h; r++) {
            if (Math.abs(gs[r] - rs[r]) > 1e-6 * Math.abs(rs[r])) {
                throw new AssertionError("fp8 scale of row " + r + " is " + gs[r] + ", amax/448 is " + rs[r]);
            }
        }
        // e4m3 keeps 3 mantissa bits: round-trip error up to 2^-4 relative per element, about 2.5e-2 in L2
        requireClose("fp8 round trip", download(back), HostData.toDouble(x), 0.05);
    }

    // ---- GEMM -------------------------------------------------------------------------------------------

    /**
     * The FP8 GEMM: bf16 x and w quantized per row (the row kernel: scales must be amax / 448), then
     * cuBLASLt on e4m3 operands. Reference: the dequantized operands' product in double, which the GEMM
     * must match to bf16 output rounding; against the unquantized product the error is e4m3's (reported).
     */
    static void linearFp8(boolean withBias, Activation a) {
        int m = 100, n = 136, k = 272;
        float[] x = randn(m * k, 27, 1), w = roundTo(randn(n * k, 28, 1.0 / Math.sqrt(k)), DType.BF16);
        for (int i = 0; i < k; i++) {
            x[k + i] = 0f;          // an all-zero row: scale 0, zeros out (bias only)
            x[2 * k + i] *= 300f;   // a row far larger than the rest: its own scale
        }
        x = roundTo(x, DType.BF16);
        float[] b = roundTo(randn(n, 29, 0.5), DType.BF16);
        Tensor tx = upload(x, DType.BF16, m, k), tw = upload(w, DType.BF16, n, k);
        Tensor tb = withBias ? upload(b, DType.BF16, n) : null;
        Tensor xq = ops().scratch().allocate(DType.F8_E4M3, m, k), wq = ops().scratch().allocate(DType.F8_E4M3, n, k);
        Tensor xs = poisoned(DType.F32, m, 1), ws = poisoned(DType.F32, n, 1);
        ops().quantizeFp8(xq, xs, tx, k);
        ops().quantizeFp8(wq, ws, tw, k);
        Tensor out = poisoned(DType.BF16, m, n);
        ops().linearFp8(out, xq, xs, wq, ws, tb, a);
        requireRowScales(download(xs), x, m, k);
        Tensor xd = poisoned(DType.BF16, m, k), wd = poisoned(DType.BF16, n, k);
        ops().dequantizeFp8(xd, xq, xs, k);
        ops().dequantizeFp8(wd, wq, ws, k);
        float[] hx = download(xd), hw = download(wd);
        double[] ref = new double[m * n], exact = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = withBias ? b[j] : 0, accExact = acc;
                for (int kk = 0; kk < k; kk++) {
                    acc += (double) hx[i * k + kk] * hw[j * k + kk];
                    accExact += (double) x[i * k + kk] * w[j * k + kk];
                }
                ref[i * n + j] = act(acc, a);
                exact[i * n + j] = act(accExact, a);
            }
        }
        float[] got = download(out);
        requireClose("linear fp8 vs its dequantized operands", got, ref, tol(DType.BF16));
        double e4m3 = HostData.relL2(got, exact);
        System.out.printf(java.util.Locale.ROOT, "    linear fp8 %s: rel L2 %.2e against the unquantized product%n", a, e4m3);
        if (!(e4m3 <= 5e-2)) {
            throw new AssertionError("linear fp8: rel L2 " + e4m3 + " against the unquantized product > 5e-2");
        }
    }

    /** Every row's scale is written and equals its amax / 448 (0 for an all-zero row). */
    static void requireRowScales(float[] scales, float[] x, int m, int k) {
        requireWritten("fp8 row scales", scales);
        for (int r = 0; r < m; r++) {
            float amax = 0;
            for (int i = 0; i < k; i++) {
                amax = Math.max(amax, Math.abs(x[r * k + i]));
            }
            if (Math.abs(scales[r] - amax / 448f) > 1e-6 * amax / 448f) {
                throw new AssertionError("fp8 row scale of row " + r + " is " + scales[r] + ", amax/448 is " + amax / 448f);
            }
        }
    }

    /** Per-row e4m3 quantization: scales equal amax / 448 (an all-zero row gets 0), round trip within e4m3. */
    static void fp8Rows(int m, int k) {
        float[] x = randn(m * k, 31, 1);
        for (int i = 0; i < k; i++) {
            x[i] = 0f;
            x[k + i] *= 1000f;
        }
        x = roundTo(x, DType.BF16);
        Tensor tx = upload(x, DType.BF16, m, k);
        Tensor q = ops().scratch().allocate(DType.F8_E4M3, m, k);
        Tensor scale = poisoned(DType.F32, m, 1);
        ops().quantizeFp8(q, scale, tx, k);
        requireRowScales(download(scale), x, m, k);
        Tensor back = poisoned(DType.BF16, m, k);
        ops().dequantizeFp8(back, q, scale, k);
        requireClose("fp8 row round trip K=" + k, download(back), HostData.toDouble(x), 0.05);
    }

    static void linear(DType dt, boolean withBias, Activation a, boolean stridedOut) {
        int m = 100, n = 136, k = 264;
        float[] x = roundTo(randn(m * k, 24, 1), dt), w = roundTo(randn(n * k, 25, 1.0 / Math.sqrt(k)), dt);
        float[] b = roundTo(randn(n, 26, 0.5), dt);
        Tensor tx = upload(x, dt, m, k), tw = upload(w, dt, n, k);
        Tensor tb = withBias ? upload(b, dt, n) : null;
        Tensor out = stridedOut ? poisoned(dt, m, n + 24).narrow(1, 8, n) : poisoned(dt, m, n);
        ops().linear(out, tx, tw, tb, a);
        double[] ref = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = withBias ? b[j] : 0;
                for (int kk = 0; kk < k; kk++) {
                    acc += (double) x[i * k + kk] * w[j * k + kk];
                }
                ref[i * n + j] = act(acc, a);
            }
        }
        requireClose("linear " + dt + (withBias ? " bias " : " ") + a, download(out), ref, tol(dt));
    }

    // ---- CUDA graphs ------------------------------------------------------------------------------------

    /** LN-modulate -> linear(GELU) -> gated residual -> attention, directly and from a captured graph. */
    static void graph() {
        CudaOps o = ops();
        DType dt = DType.BF16;
        int s = 96, d = 256, h = 2, dh = 128;
        float[] xv = roundTo(randn(s * d, 30, 1), dt);
        Tensor x0 = upload(xv, dt, s, d);
        Tensor x = o.scratch().allocate(dt, s, d);
        Tensor emb = upload(roundTo(randn(3 * d, 31, 0.3), dt), dt, 3L * d);
        Tensor w = upload(roundTo(randn(d * d, 32, 1.0 / 16), dt), dt, d, d);
        Tensor bias = upload(roundTo(randn(d, 33, 0.1), dt), dt, d);
        Tensor normed = o.scratch().allocate(dt, s, d);
        Tensor hidden = o.scratch().allocate(dt, s, d);
        Tensor att = o.scratch().allocate(DType.F32, s, (long) h * dh);
        Tensor lse = o.scratch().allocate(DType.F32, h, s);
        Runnable step = () -> {
            o.copy(x, x0);
            o.layerNormModulate(normed, x, emb.narrow(0, 0, d), emb.narrow(0, d, d), 1e-6f);
            o.linear(hidden, normed, w, bias, Activation.GELU_TANH);
            o.addGated(x, hidden, emb.narrow(0, 2L * d, d));
            Tensor qkv = GpuFixture.view(x, h, s / 2, dh);  // reinterpret as [H, S', Dh]
            o.attention(att.narrow(0, 0, s / 2), lse.narrow(1, 0, s / 2), qkv, qkv, qkv, 0.088f);
        };
        poison(x);
        poison(att);
        poison(lse);
        step.run();  // direct launches; also creates the cuBLASLt plan outside the capture
        float[] directX = download(x), directAtt = download(att.narrow(0, 0, s / 2)), directLse = download(lse.narrow(1, 0, s / 2));
        requireWritten("graph: direct x", directX);
        requireWritten("graph: direct attention", directAtt);
        poison(x);
        poison(att);
        poison(lse);
        try (CudaGraph g = CudaGraph.capture(o.stream(), step)) {
            for (int rep = 0; rep < 3; rep++) {
                g.launch(o.stream());
            }
            o.synchronize();
        }
        float[] gx = download(x), ga = download(att.narrow(0, 0, s / 2)), gl = download(lse.narrow(1, 0, s / 2));
        requireEqual("graph replay x", gx, directX);
        requireEqual("graph replay attention", ga, directAtt);
        requireEqual("graph replay lse", gl, directLse);
    }

    /**
     * Two chains that share an input and write apart, through {@code concurrently}: the results equal the
     * same ops run one after the other, launched directly and replayed from a captured graph (fork/join).
     */
    static void concurrent() {
        CudaOps o = ops();
        DType dt = DType.BF16;
        int s = 300, d = 256;
        Tensor x = upload(roundTo(randn(s * d, 50, 1), dt), dt, s, d);
        Tensor w1 = upload(roundTo(randn(d * d, 51, 1.0 / 16), dt), dt, d, d);
        Tensor w2 = upload(roundTo(randn(d * d, 52, 1.0 / 16), dt), dt, d, d);
        Tensor gate = upload(roundTo(randn(d, 53, 0.5), dt), dt, d);
        Tensor a = o.scratch().allocate(dt, s, d), b = o.scratch().allocate(dt, s, d);
        Tensor ra = o.scratch().allocate(dt, s, d), rb = o.scratch().allocate(dt, s, d);
        Tensor ya = o.scratch().allocate(dt, s, d), yb = o.scratch().allocate(dt, s, d);
        java.util.function.BiConsumer<dev.sparkdit.ops.Ops, Tensor[]> chain = (p, t) -> {
            p.copy(t[0], x);
            p.linear(t[1], x, t[2], null, Activation.GELU_TANH);
            p.addGated(t[0], t[1], gate);
        };
        Tensor[] ta = {a, ya, w1}, tb = {b, yb, w2};
        chain.accept(o, new Tensor[] {ra, ya, w1});
        chain.accept(o, new Tensor[] {rb, yb, w2});
        float[] wantA = download(ra), wantB = download(rb);
        poison(a);
        poison(b);
        Runnable step = () -> o.concurrently(m -> chain.accept(m, ta), sd -> chain.accept(sd, tb));
        step.run();
        float[] directB = download(b);
        requireEqual("concurrently, direct: main chain", download(a), wantA);
        // the side stream has its own cuBLASLt handle, whose tuning may pick another algorithm: close, not equal
        requireClose("concurrently, direct: side chain", directB, HostData.toDouble(wantB), tol(dt));
        poison(a);
        poison(b);
        try (CudaGraph g = CudaGraph.capture(o.stream(), step)) {
            g.launch(o.stream());
            o.synchronize();
        }
        requireEqual("concurrently, graph: main chain", download(a), wantA);
        requireEqual("concurrently, graph: side chain", download(b), directB);
    }

    static void requireEqual(String what, float[] got, float[] want) {
        for (int i = 0; i < want.length; i++) {
            if (Float.compare(got[i], want[i]) != 0) {
                throw new AssertionError(what + ": element " + i + " is " + got[i] + ", want " + want[i] + " bit for bit");
            }
        }
    }

    /** For a quick look at raw bytes while debugging a check. */
    static ByteBuffer littleEndian(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
