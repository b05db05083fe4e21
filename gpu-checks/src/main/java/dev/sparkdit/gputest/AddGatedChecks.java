package dev.sparkdit.gputest;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

import static dev.sparkdit.gputest.GpuFixture.check;
import static dev.sparkdit.gputest.GpuFixture.download;
import static dev.sparkdit.gputest.GpuFixture.ops;
import static dev.sparkdit.gputest.GpuFixture.upload;
import static dev.sparkdit.gputest.HostData.randn;
import static dev.sparkdit.gputest.HostData.requireClose;
import static dev.sparkdit.gputest.HostData.roundTo;
import static dev.sparkdit.gputest.HostData.tol;

/** {@code AddGated}: {@code x += gate[D] * y} in place, with whole 8-column vectors and without. */
final class AddGatedChecks {
    private AddGatedChecks() {
    }

    static List<GpuCheck> all() {
        List<GpuCheck> c = new ArrayList<>();
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            c.add(check("add_gated " + dt, () -> addGated(dt, 3072)));
            c.add(check("add_gated " + dt + " cols=3070 (no vectors)", () -> addGated(dt, 3070)));
        }
        return c;
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
}
