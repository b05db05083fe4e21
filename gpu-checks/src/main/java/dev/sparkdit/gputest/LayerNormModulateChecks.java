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
 * {@code LayerNormModulate}: LayerNorm without affine, then {@code * (1 + scale) + shift}, against a two-pass fp64
 * mean and variance; widths that take each of the launcher's kernels, and a row-strided input.
 */
final class LayerNormModulateChecks {
    private LayerNormModulateChecks() {
    }

    static List<GpuCheck> all() {
        List<GpuCheck> c = new ArrayList<>();
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            c.add(check("layer_norm_modulate " + dt + " D=3072 row-strided", () -> layerNorm(dt, 37, 3072, true)));
            c.add(check("layer_norm_modulate " + dt + " D=100", () -> layerNorm(dt, 19, 100, false)));
            c.add(check("layer_norm_modulate " + dt + " D=4096 (bf16: a block per row)", () -> layerNorm(dt, 11, 4096,
                    false)));
        }
        return c;
    }

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
}
