package dev.sparkdit.parity;

import dev.sparkdit.tensor.DType;

/**
 * How to run a parity check.
 *
 * @param backend   cpu or cuda
 * @param dtype     compute dtype of weights and activations (F32 or BF16)
 * @param tolerance relative L2 bound; NaN picks the default for the backend and dtype
 * @param ranks     ranks the sequence is spread over (1 = single device)
 * @param ulysses   Ulysses degree
 * @param ring      Ring degree
 * @param fp8       FP8 (e4m3) Ulysses all-to-all
 * @param processes ranks 1..N-1 are child JVMs (TCP rendezvous) instead of threads of this one
 * @param fp8Gemm   the transformer blocks' linears on FP8 (e4m3) operands ({@code FluxTransformer.useFp8Gemms})
 */
public record ParityOptions(String backend, DType dtype, double tolerance, int ranks, int ulysses, int ring,
                            boolean fp8, boolean processes, boolean fp8Gemm) {

    /** Default tolerance with FP8 GEMMs: their rounding, not the model, sets the error (docs/parity.md). */
    public static final double FP8_GEMM_TOLERANCE = 1e-1;

    public ParityOptions(String backend, DType dtype, double tolerance, int ranks, int ulysses, int ring, boolean fp8,
                         boolean processes) {
        this(backend, dtype, tolerance, ranks, ulysses, ring, fp8, processes, false);
    }

    public ParityOptions {
        if (dtype != DType.F32 && dtype != DType.BF16) {
            throw new IllegalArgumentException("parity runs in f32 or bf16, not " + dtype);
        }
        if (!Double.isNaN(tolerance) && !(tolerance > 0)) {
            throw new IllegalArgumentException("tolerance must be > 0, got " + tolerance);
        }
        if (ranks < 1 || ulysses < 1 || ring < 1 || ulysses * ring != ranks) {
            throw new IllegalArgumentException("ulysses " + ulysses + " x ring " + ring + " must equal ranks " + ranks
                    + " (all >= 1)");
        }
    }

    public static ParityOptions single(String backend, DType dtype) {
        return new ParityOptions(backend, dtype, Double.NaN, 1, 1, 1, false, false);
    }

    /**
     * The golden data's tolerances: fp32 on the CPU 1e-5, fp32 on a GPU 1e-4 (reductions ordered
     * differently from the reference), bf16 2e-2.
     */
    public double effectiveTolerance() {
        if (!Double.isNaN(tolerance)) {
            return tolerance;
        }
        if (fp8Gemm) {
            return FP8_GEMM_TOLERANCE;
        }
        if (dtype == DType.BF16) {
            return 2e-2;
        }
        return backend.equalsIgnoreCase("cpu") ? 1e-5 : 1e-4;
    }

    public String parallelLabel() {
        return (ranks == 1 ? "1" : "ulysses " + ulysses + " x ring " + ring + (fp8 ? " fp8" : "")
                + (processes ? " (processes)" : "")) + (fp8Gemm ? ", fp8 gemm" : "");
    }
}
