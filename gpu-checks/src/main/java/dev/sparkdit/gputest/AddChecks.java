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

/** {@code Add}: {@code out = a + b} (b a row-strided view) against the fp64 sum. */
final class AddChecks {
    private AddChecks() {
    }

    static List<GpuCheck> all() {
        List<GpuCheck> c = new ArrayList<>();
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            c.add(check("add " + dt, () -> add(dt)));
        }
        return c;
    }

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
}
