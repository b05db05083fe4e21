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
import static dev.sparkdit.gputest.HostData.requireWritten;
import static dev.sparkdit.gputest.HostData.roundTo;

/**
 * {@code Fp8Quant}: e4m3 with one fp32 scale per (token, head) or per row; scales must be amax / 448
 * ({@link #requireRowScales}, which the FP8 GEMM check uses too) and the round trip within e4m3's precision.
 */
final class Fp8QuantChecks {
    private Fp8QuantChecks() {
    }

    static List<GpuCheck> all() {
        List<GpuCheck> c = new ArrayList<>();
        c.add(check("fp8 e4m3 quantize/dequantize [S,H,Dh]", Fp8QuantChecks::fp8));
        // Row quantization alone: short rows (K = 3072), long rows in registers (15360) and rows too long for them.
        for (int k : new int[] {3072, 15360, 16400}) {
            c.add(check("fp8 e4m3 row quantize K=" + k, () -> fp8Rows(5, k)));
        }
        return c;
    }

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
}
