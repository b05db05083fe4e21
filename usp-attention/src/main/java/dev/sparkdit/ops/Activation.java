package dev.sparkdit.ops;

/** Elementwise activations an op can apply to its result (GEMM epilogues where the backend can fuse them). */
public enum Activation {
    NONE,
    /** x * sigmoid(x). */
    SILU,
    /** GELU with the tanh approximation (diffusers' {@code GELU(approximate="tanh")}, T5's {@code gelu_new}). */
    GELU_TANH,
    /** x * sigmoid(1.702 x): CLIP's {@code quick_gelu}. */
    QUICK_GELU
}
