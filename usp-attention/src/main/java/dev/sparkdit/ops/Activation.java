package dev.sparkdit.ops;

/** Elementwise activations an op can apply to its result (GEMM epilogues where the backend can fuse them). */
public enum Activation {
    NONE,
    /** x * sigmoid(x). */
    SILU,
    /** GELU with the tanh approximation (diffusers' {@code GELU(approximate="tanh")}). */
    GELU_TANH
}
