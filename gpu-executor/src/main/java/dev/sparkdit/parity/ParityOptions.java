package dev.sparkdit.parity;

import dev.sparkdit.options.RunOptions;
import dev.sparkdit.tensor.DType;

/**
 * How to run a parity check.
 *
 * @param run       the run options: backend, dtype (f32 or bf16; unset means f32 here), FP8 communication and GEMMs,
 *                  kernel and sequence-parallel switches
 * @param tolerance relative L2 bound; NaN picks {@link #effectiveTolerance()}
 * @param ranks     ranks the sequence is spread over (1 = single device)
 * @param ulysses   Ulysses degree
 * @param ring      Ring degree
 * @param processes ranks 1..N-1 are child JVMs (TCP rendezvous) instead of threads of this one
 */
public record ParityOptions(RunOptions run, double tolerance, int ranks, int ulysses, int ring, boolean processes) {

    /** Default tolerance with FP8 GEMMs: their rounding, not the model, sets the error (docs/parity.md). */
    public static final double FP8_GEMM_TOLERANCE = 1e-1;
    /** Default tolerance with FP8 communication: e4m3 q/k/v, as bf16's (docs/parity.md). */
    public static final double FP8_COMM_TOLERANCE = 2e-2;

    public ParityOptions {
        run = run.dtype() == null ? run.withDtype(DType.F32) : run;
        if (!Double.isNaN(tolerance) && !(tolerance > 0)) {
            throw new IllegalArgumentException("tolerance must be > 0, got " + tolerance);
        }
        if (ranks < 1 || ulysses < 1 || ring < 1 || ulysses * ring != ranks) {
            throw new IllegalArgumentException("ulysses " + ulysses + " x ring " + ring + " must equal ranks " + ranks
                    + " (all >= 1)");
        }
        if (processes && ranks == 1) {
            throw new IllegalArgumentException("ranks as processes needs more than one rank");
        }
    }

    public ParityOptions(String backend, DType dtype, double tolerance, int ranks, int ulysses, int ring, boolean fp8,
                         boolean processes, boolean fp8Gemm) {
        this(RunOptions.DEFAULTS.withBackend(backend).withDtype(dtype).withFp8(fp8, fp8Gemm), tolerance, ranks, ulysses,
                ring, processes);
    }

    public ParityOptions(String backend, DType dtype, double tolerance, int ranks, int ulysses, int ring, boolean fp8,
                         boolean processes) {
        this(backend, dtype, tolerance, ranks, ulysses, ring, fp8, processes, false);
    }

    public static ParityOptions single(String backend, DType dtype) {
        return new ParityOptions(backend, dtype, Double.NaN, 1, 1, 1, false, false);
    }

    public String backend() {
        return run.backend();
    }

    public DType dtype() {
        return run.dtype();
    }

    public boolean fp8() {
        return run.fp8Communication();
    }

    public boolean fp8Gemm() {
        return run.fp8Gemm();
    }

    /**
     * The one rule for default tolerances (the golden data's): FP8 GEMMs 1e-1 and FP8 communication 2e-2 (e4m3
     * rounding, not the model, sets those errors), bf16 2e-2, fp32 1e-5 on the CPU and 1e-4 on a GPU (reductions
     * ordered differently from the reference).
     */
    public double effectiveTolerance() {
        if (!Double.isNaN(tolerance)) {
            return tolerance;
        }
        if (fp8Gemm()) {
            return FP8_GEMM_TOLERANCE;
        }
        if (fp8() && ranks > 1 || dtype() == DType.BF16) {
            return FP8_COMM_TOLERANCE;
        }
        return backend().equals("cpu") ? 1e-5 : 1e-4;
    }

    public String parallelLabel() {
        return (ranks == 1 ? "1" : "ulysses " + ulysses + " x ring " + ring + (fp8() ? " fp8" : "")
                + (processes ? " (processes)" : "")) + (fp8Gemm() ? ", fp8 gemm" : "");
    }
}
