package dev.sparkdit.gputest;

import dev.sparkdit.cuda.CudaGraph;
import dev.sparkdit.cuda.CudaOps;
import dev.sparkdit.ops.Activation;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

import java.util.List;

import static dev.sparkdit.gputest.GpuFixture.download;
import static dev.sparkdit.gputest.GpuFixture.ops;
import static dev.sparkdit.gputest.GpuFixture.poison;
import static dev.sparkdit.gputest.GpuFixture.upload;
import static dev.sparkdit.gputest.HostData.randn;
import static dev.sparkdit.gputest.HostData.roundTo;
import static dev.sparkdit.gputest.GpuFixture.check;
import static dev.sparkdit.gputest.MeasuredChecks.requireSame;

/**
 * The text encoders' and the VAE's ops captured once into a CUDA graph and replayed three times give the same bits
 * as direct launches: embedding, layerNorm, rmsNorm, mul, masked attention (causal + bias, token-major views),
 * attention at head dim 80 with lse (the general kernel), groupNorm + SiLU (its scratch workspace), a cuDNN
 * convolution with bias (its plan made by the direct run, its workspace from scratch) and 2x upsampling.
 */
public final class OpGraphChecks {
    private OpGraphChecks() {
    }

    public static List<GpuCheck> all() {
        return List.of(check("cuda graph capture/replay of the encoder and VAE ops (cuDNN conv included) == direct",
                OpGraphChecks::graph));
    }

    static void graph() {
        CudaOps o = ops();
        DType dt = DType.BF16;
        int s = 77, d = 768, h = 12, dh = 64;
        Tensor table = upload(roundTo(randn(1000 * d, 501, 1), dt), dt, 1000, d);
        Tensor ids = EncoderOpChecks.uploadIds(java.util.stream.IntStream.range(0, s).map(i -> (i * 37) % 1000).toArray());
        Tensor w = upload(roundTo(randn(d, 502, 1), dt), dt, d), b = upload(roundTo(randn(d, 503, 1), dt), dt, d);
        Tensor bias = upload(randn(h * s * s, 504, 1), DType.F32, h, s, s);
        Tensor tokens = o.scratch().allocate(dt, s, d), normed = o.scratch().allocate(dt, s, d);
        Tensor normed2 = o.scratch().allocate(dt, s, d), att = o.scratch().allocate(dt, s, d);
        Tensor q80 = upload(roundTo(randn(3 * 50 * 80, 505, 1), dt), dt, 3, 50, 80);
        Tensor att80 = o.scratch().allocate(DType.F32, 50, 3 * 80), lse80 = o.scratch().allocate(DType.F32, 3, 50);
        int ih = 16, iw = 16, c = 128;
        Tensor image = upload(roundTo(randn(ih * iw * c, 506, 1), dt), dt, ih, iw, c);
        Tensor gw = upload(roundTo(randn(c, 507, 1), dt), dt, c), gb = upload(roundTo(randn(c, 508, 1), dt), dt, c);
        Tensor cw = upload(roundTo(randn(c * 9 * c, 509, 0.03), dt), dt, c, 3, 3, c);
        Tensor cb = upload(roundTo(randn(c, 510, 0.1), dt), dt, c);
        Tensor gn = o.scratch().allocate(dt, ih, iw, c), conv = o.scratch().allocate(dt, ih, iw, c);
        Tensor up = o.scratch().allocate(dt, 2 * ih, 2 * iw, c);
        // q/k/v: token-major views of `normed` as [H, S, Dh] (head stride Dh, row stride H*Dh)
        Tensor qkv = new Tensor(normed.address(), normed.device(), dt, new long[] {h, s, dh}, new long[] {dh, d, 1});
        Runnable step = () -> {
            o.embedding(tokens, table, ids);
            o.layerNorm(normed, tokens, w, b, 1e-5f);
            o.rmsNorm(normed2, tokens, w, 1e-6f);
            o.mul(normed2, normed2, normed);
            o.maskedAttention(att, qkv, qkv, qkv, 0.125f, true, bias);
            o.attention(att80, lse80, q80, q80, q80, 0.11f);
            o.groupNorm(gn.view(ih * iw, c), image.view(ih * iw, c), gw, gb, 32, 1e-6f, Activation.SILU);
            o.conv2d(conv, gn, cw, cb, 1);
            o.upsampleNearest2x(up, conv);
        };
        Tensor[] outs = {normed2, att, att80, lse80, up};
        for (Tensor t : outs) {
            poison(t);
        }
        step.run();  // direct; makes the cuDNN handle and the convolution's plan outside the capture
        float[][] direct = new float[outs.length][];
        for (int i = 0; i < outs.length; i++) {
            direct[i] = download(outs[i]);
            HostData.requireWritten("graph check: direct output " + i, direct[i]);
            poison(outs[i]);
        }
        try (CudaGraph g = CudaGraph.capture(o.stream(), step)) {
            for (int rep = 0; rep < 3; rep++) {
                g.launch(o.stream());
            }
            o.synchronize();
        }
        String[] names = {"rmsNorm * layerNorm", "maskedAttention", "attention Dh 80", "attention Dh 80 lse",
            "groupNorm -> conv2d -> upsample"};
        for (int i = 0; i < outs.length; i++) {
            requireSame("graph replay " + names[i], download(outs[i]), direct[i]);
        }
    }
}
