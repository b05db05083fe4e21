package dev.sparkdit.gputest;

import java.util.ArrayList;
import java.util.List;

/**
 * Every CUDA kernel (and the cuBLASLt GEMM, and graph replay) against a plain-Java fp64 reference on fresh seeded
 * inputs: one file per op, holding its checks and its reference ({@code CopyChecks}, {@code AttentionChecks}, ...),
 * listed here. Inputs are rounded to the storage dtype on the host first, so the reference sees exactly what the
 * device sees. Outputs are poisoned with NaN before each run and every element must come back written. Tolerances
 * (relative L2, {@link HostData#tol}): fp32 1e-5, bf16 1e-2, lse like its dtype. Each check gives its scratch back
 * ({@link GpuFixture#check}).
 */
public final class KernelChecks {
    private KernelChecks() {
    }

    public static List<GpuCheck> all() {
        List<GpuCheck> c = new ArrayList<>();
        c.addAll(CopyChecks.all());
        c.addAll(AddChecks.all());
        c.addAll(ActivationChecks.all());
        c.addAll(AddGatedChecks.all());
        c.addAll(LayerNormModulateChecks.all());
        c.addAll(QkNormRopeChecks.all());
        c.addAll(TimestepEmbeddingChecks.all());
        c.addAll(MergeAttentionChecks.all());
        c.addAll(AttentionChecks.all());
        c.addAll(Fp8QuantChecks.all());
        c.addAll(GemmChecks.all());
        c.addAll(GraphChecks.all());
        return c;
    }
}
