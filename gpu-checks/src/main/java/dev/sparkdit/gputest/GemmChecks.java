package dev.sparkdit.gputest;

import dev.sparkdit.ops.Activation;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

import static dev.sparkdit.gputest.ActivationChecks.act;
import static dev.sparkdit.gputest.Fp8QuantChecks.requireRowScales;
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
 * {@code CublasLtLinear}: {@code act(x w^T + bias)} in bf16 and fp32 with every epilogue and a row-strided out, and
 * the FP8 GEMM on e4m3 operands quantized per row, against fp64 products.
 */
final class GemmChecks {
    private GemmChecks() {
    }

    static List<GpuCheck> all() {
        List<GpuCheck> c = new ArrayList<>();
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
        return c;
    }

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
}
