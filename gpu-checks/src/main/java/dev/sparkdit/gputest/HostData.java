package dev.sparkdit.gputest;

import dev.sparkdit.tensor.DType;

import java.nio.ByteBuffer;
import java.util.Random;

/** Seeded host data for checks: values, rounding to storage dtypes, error measures and their tolerances. */
final class HostData {
    /** Relative L2 tolerance of fp32 results. */
    static final double TOL_F32 = 1e-5;
    /** Relative L2 tolerance of bf16 results (and of the lse of bf16 inputs). */
    static final double TOL_BF16 = 1e-2;

    private HostData() {
    }

    /** Normal(0, std) values from {@code seed}. */
    static float[] randn(int n, long seed, double std) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * std);
        }
        return v;
    }

    /** Uniform [lo, hi) values from {@code seed}. */
    static float[] uniform(int n, long seed, double lo, double hi) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return v;
    }

    /** Round-to-nearest-even to bf16, as {@code __float2bfloat16_rn}. */
    static float bf16(float f) {
        if (Float.isNaN(f)) {
            return f;
        }
        int b = Float.floatToRawIntBits(f);
        b += 0x7FFF + ((b >>> 16) & 1);
        return Float.intBitsToFloat(b & 0xFFFF0000);
    }

    /** The values as the device will hold them in {@code dt} (a copy; F32 unchanged). */
    static float[] roundTo(float[] v, DType dt) {
        float[] r = v.clone();
        if (dt == DType.BF16) {
            for (int i = 0; i < r.length; i++) {
                r[i] = bf16(r[i]);
            }
        } else if (dt != DType.F32) {
            throw new IllegalArgumentException("host rounding to " + dt + " not implemented");
        }
        return r;
    }

    static ByteBuffer f32Bytes(float[] v) {
        return dev.sparkdit.tensor.HostBuffers.floats(v);
    }

    /** ||got - ref|| / ||ref|| over all elements (NaN if any got element is NaN). */
    static double relL2(float[] got, double[] ref) {
        if (got.length != ref.length) {
            throw new AssertionError("length " + got.length + " != reference length " + ref.length);
        }
        double num = 0, den = 0;
        for (int i = 0; i < got.length; i++) {
            double d = got[i] - ref[i];
            num += d * d;
            den += ref[i] * ref[i];
        }
        return Math.sqrt(num / Math.max(den, 1e-300));
    }

    /** Every element finite: outputs are poisoned with NaN before a run, so this proves each was written. */
    static void requireWritten(String what, float[] got) {
        int missing = 0, first = -1;
        for (int i = 0; i < got.length; i++) {
            if (!Float.isFinite(got[i])) {
                if (first < 0) {
                    first = i;
                }
                missing++;
            }
        }
        if (missing > 0) {
            throw new AssertionError(what + ": " + missing + " of " + got.length
                    + " elements not written or not finite (first at " + first + ")");
        }
    }

    static void requireClose(String what, float[] got, double[] ref, double tol) {
        requireWritten(what, got);
        double e = relL2(got, ref);
        if (!(e <= tol)) {
            throw new AssertionError(what + ": relative L2 error " + e + " > tolerance " + tol);
        }
    }

    /** The relative L2 tolerance of a result stored in {@code dt}: fp32 1e-5, anything else bf16's 1e-2. */
    static double tol(DType dt) {
        return dt == DType.F32 ? TOL_F32 : TOL_BF16;
    }

    static void requireEqual(String what, float[] got, float[] want) {
        for (int i = 0; i < want.length; i++) {
            if (Float.compare(got[i], want[i]) != 0) {
                throw new AssertionError(what + ": element " + i + " is " + got[i] + ", want " + want[i] + " bit for bit");
            }
        }
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
