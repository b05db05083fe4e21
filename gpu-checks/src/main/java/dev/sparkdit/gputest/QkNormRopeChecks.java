package dev.sparkdit.gputest;

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
import static dev.sparkdit.gputest.HostData.roundTo;
import static dev.sparkdit.gputest.HostData.tol;

/**
 * {@code QkNormRope}: split qkv, RMSNorm of q and k, rotary embedding, scatter to {@code [H, Stot, Dh]} at an offset,
 * against fp64; and the same into head-group views inside peer-window parts, which must equal the contiguous call.
 */
final class QkNormRopeChecks {
    private QkNormRopeChecks() {
    }

    static List<GpuCheck> all() {
        List<GpuCheck> c = new ArrayList<>();
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            c.add(check("qk_norm_rope " + dt + " rope F32", () -> qkNormRope(dt, DType.F32, 24, 3, 128, 5)));
        }
        c.add(check("qk_norm_rope BF16 rope BF16 Dh=64", () -> qkNormRope(DType.BF16, DType.BF16, 9, 2, 64, 0)));
        c.add(check("qk_norm_rope BF16 rope BF16 Dh=128", () -> qkNormRope(DType.BF16, DType.BF16, 9, 2, 128, 3)));
        c.add(check("qk_norm_rope BF16 rope F32 Dh=128 qkv 2-byte aligned (no vectors)",
                () -> qkNormRope(DType.BF16, DType.F32, 24, 3, 128, 5, 1)));
        c.add(check("qk_norm_rope BF16 Dh=128 into head groups (peer window layout)",
                () -> qkNormRopeGrouped(DType.BF16, 128)));
        c.add(check("qk_norm_rope F32 Dh=64 into head groups", () -> qkNormRopeGrouped(DType.F32, 64)));
        return c;
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
}
