package dev.sparkdit.ops;

/**
 * {@link Ops#linearFp8} has no FP8 kernel for this problem (cuBLASLt's heuristic offers none for some
 * shapes, e.g. few rows with a long K). Callers that hold the bf16 operands fall back to {@link Ops#linear}.
 */
public final class Fp8GemmUnavailableException extends UnsupportedOperationException {
    public Fp8GemmUnavailableException(String message) {
        super(message);
    }
}
