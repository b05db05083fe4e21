package dev.sparkdit.gputest;

import dev.sparkdit.cuda.CudaEvent;
import dev.sparkdit.cuda.CudaOps;
import dev.sparkdit.tensor.DType;

import java.util.Locale;

import static dev.sparkdit.gputest.GpuFixture.ops;

/**
 * What the encoder and VAE op checks share beside {@link GpuFixture#check}: an error measure that is
 * printed whatever the outcome (so a GPU run's log holds every measured error, not only the failures), and a
 * timer for the calls worth a figure. Tolerances (relative L2): fp32 1e-5, fp32 through cuDNN or attention 1e-4,
 * bf16 2e-2.
 */
final class MeasuredChecks {
    static final double TOL_F32 = 1e-5;
    static final double TOL_F32_GEMM = 1e-4;
    static final double TOL_BF16 = 2e-2;

    private MeasuredChecks() {
    }

    static double tol(DType dt) {
        return dt == DType.F32 ? TOL_F32 : TOL_BF16;
    }

    /** fp32 1e-4 (cuDNN convolutions, attention), bf16 2e-2. */
    static double tolGemm(DType dt) {
        return dt == DType.F32 ? TOL_F32_GEMM : TOL_BF16;
    }

    /**
     * Every element written and finite, then the relative L2 error against the fp64 reference, printed as
     * {@code      <what>: rel L2 <e> max abs <m> (tol <t>)} and failed beyond {@code tol}.
     */
    static void requireClose(String what, float[] got, double[] ref, double tol) {
        HostData.requireWritten(what, got);
        double e = HostData.relL2(got, ref);
        double maxAbs = 0;
        for (int i = 0; i < got.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(got[i] - ref[i]));
        }
        System.out.printf(Locale.ROOT, "     %s: rel L2 %.3e max abs %.3e (tol %.0e)%n", what, e, maxAbs, tol);
        if (!(e <= tol)) {
            throw new AssertionError(what + ": relative L2 error " + e + " > tolerance " + tol);
        }
    }

    /** Bit-exact copies (upsampling, embedding rows): every element equal, NaN where {@code want} is NaN. */
    static void requireSame(String what, float[] got, float[] want) {
        if (got.length != want.length) {
            throw new AssertionError(what + ": " + got.length + " elements, expected " + want.length);
        }
        int bad = 0, first = -1;
        for (int i = 0; i < got.length; i++) {
            if (Float.floatToIntBits(got[i]) != Float.floatToIntBits(want[i])
                    && !(Float.isNaN(got[i]) && Float.isNaN(want[i]))) {
                if (first < 0) {
                    first = i;
                }
                bad++;
            }
        }
        System.out.printf(Locale.ROOT, "     %s: %d of %d elements differ%n", what, bad, got.length);
        if (bad > 0) {
            throw new AssertionError(what + ": " + bad + " of " + got.length + " elements differ (first at " + first
                    + ": " + got[first] + ", expected " + want[first] + ")");
        }
    }

    /** Median ms of {@code reps} timed calls after one warm-up (device events on the ops' stream), printed. */
    static double time(String what, int reps, Runnable call) {
        CudaOps o = ops();
        call.run();
        float[] ms = new float[reps];
        try (CudaEvent start = new CudaEvent(); CudaEvent end = new CudaEvent()) {
            for (int i = 0; i < reps; i++) {
                start.record(o.stream());
                call.run();
                end.record(o.stream());
                end.synchronize();
                ms[i] = end.elapsedMs(start);
            }
        }
        java.util.Arrays.sort(ms);
        double median = ms[reps / 2];
        System.out.printf(Locale.ROOT, "     %s: %.3f ms (median of %d)%n", what, median, reps);
        return median;
    }
}
