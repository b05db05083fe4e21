package dev.sparkdit.gputest;

import dev.sparkdit.ops.Activation;
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
 * {@code ActivationKernel}: SiLU and tanh-GELU against {@link #act}, the fp64 reference that the GEMM checks'
 * epilogues use too.
 */
final class ActivationChecks {
    private ActivationChecks() {
    }

    static List<GpuCheck> all() {
        List<GpuCheck> c = new ArrayList<>();
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            c.add(check("activation SILU " + dt, () -> activation(dt, Activation.SILU)));
            c.add(check("activation GELU_TANH " + dt, () -> activation(dt, Activation.GELU_TANH)));
            c.add(check("activation QUICK_GELU " + dt, () -> activation(dt, Activation.QUICK_GELU)));
        }
        return c;
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
}
