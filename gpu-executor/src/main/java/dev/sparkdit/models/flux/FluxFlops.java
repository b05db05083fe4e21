package dev.sparkdit.models.flux;

/**
 * Floating-point operations of one FLUX forward (multiply-add = 2), by kind, for the achieved-rate
 * figures of benchmarks. Per-sample vectors (modulation, embeddings: M = 1) are left out: under 0.1%.
 * FLUX.1-dev at 4096 image + 512 text tokens: about 74 TFLOP.
 */
public record FluxFlops(double gemm, double attention) {

    public double total() {
        return gemm + attention;
    }

    public static FluxFlops perStep(FluxConfig c, long txt, long img) {
        double d = c.dim();
        double m = c.mlpHidden();
        double s = txt + img;
        double attn = 4.0 * s * s * d;                      // q k^T and p v over all heads
        double gemm = 2.0 * img * c.inChannels() * d + 2.0 * txt * c.jointAttentionDim() * d;
        double perDouble = 2.0 * s * d * 3 * d               // fused qkv, both streams
                + 2.0 * s * d * d                             // output projections
                + 2.0 * 2.0 * s * d * m;                      // feed-forward in and out
        double perSingle = 2.0 * s * d * 3 * d + 2.0 * s * d * m + 2.0 * s * (d + m) * d;
        gemm += c.numLayers() * perDouble + c.numSingleLayers() * perSingle + 2.0 * img * d * c.outChannels();
        double attention = (c.numLayers() + c.numSingleLayers()) * attn;
        return new FluxFlops(gemm, attention);
    }
}
