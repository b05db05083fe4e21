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
import static dev.sparkdit.gputest.HostData.requireClose;
import static dev.sparkdit.gputest.HostData.tol;

/** {@code TimestepEmbedding}: diffusers' sinusoidal embedding (cos first) of a t read on the device. */
final class TimestepEmbeddingChecks {
    private TimestepEmbeddingChecks() {
    }

    static List<GpuCheck> all() {
        List<GpuCheck> c = new ArrayList<>();
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            c.add(check("timestep_embedding " + dt, () -> timestep(dt)));
        }
        return c;
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
}
