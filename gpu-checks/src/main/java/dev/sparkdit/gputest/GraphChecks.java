package dev.sparkdit.gputest;

import dev.sparkdit.cuda.CudaGraph;
import dev.sparkdit.cuda.CudaOps;
import dev.sparkdit.ops.Activation;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

import java.util.List;

import static dev.sparkdit.gputest.GpuFixture.check;
import static dev.sparkdit.gputest.GpuFixture.download;
import static dev.sparkdit.gputest.GpuFixture.ops;
import static dev.sparkdit.gputest.GpuFixture.poison;
import static dev.sparkdit.gputest.GpuFixture.upload;
import static dev.sparkdit.gputest.HostData.randn;
import static dev.sparkdit.gputest.HostData.requireClose;
import static dev.sparkdit.gputest.HostData.requireEqual;
import static dev.sparkdit.gputest.HostData.requireWritten;
import static dev.sparkdit.gputest.HostData.roundTo;
import static dev.sparkdit.gputest.HostData.tol;

/**
 * Launch machinery rather than one kernel: a CUDA graph's replay and {@code concurrently}'s side stream (a fork and a
 * join when captured) must give what direct launches give.
 */
final class GraphChecks {
    private GraphChecks() {
    }

    static List<GpuCheck> all() {
        return List.of(
                check("cuda graph capture/replay == direct launches", GraphChecks::graph),
                check("concurrently: side-stream work == sequential, direct and from a graph", GraphChecks::concurrent));
    }

    /** LN-modulate -> linear(GELU) -> gated residual -> attention, directly and from a captured graph. */
    static void graph() {
        CudaOps o = ops();
        DType dt = DType.BF16;
        int s = 96, d = 256, h = 2, dh = 128;
        float[] xv = roundTo(randn(s * d, 30, 1), dt);
        Tensor x0 = upload(xv, dt, s, d);
        Tensor x = o.scratch().allocate(dt, s, d);
        Tensor emb = upload(roundTo(randn(3 * d, 31, 0.3), dt), dt, 3L * d);
        Tensor w = upload(roundTo(randn(d * d, 32, 1.0 / 16), dt), dt, d, d);
        Tensor bias = upload(roundTo(randn(d, 33, 0.1), dt), dt, d);
        Tensor normed = o.scratch().allocate(dt, s, d);
        Tensor hidden = o.scratch().allocate(dt, s, d);
        Tensor att = o.scratch().allocate(DType.F32, s, (long) h * dh);
        Tensor lse = o.scratch().allocate(DType.F32, h, s);
        Runnable step = () -> {
            o.copy(x, x0);
            o.layerNormModulate(normed, x, emb.narrow(0, 0, d), emb.narrow(0, d, d), 1e-6f);
            o.linear(hidden, normed, w, bias, Activation.GELU_TANH);
            o.addGated(x, hidden, emb.narrow(0, 2L * d, d));
            Tensor qkv = GpuFixture.view(x, h, s / 2, dh);  // reinterpret as [H, S', Dh]
            o.attention(att.narrow(0, 0, s / 2), lse.narrow(1, 0, s / 2), qkv, qkv, qkv, 0.088f);
        };
        poison(x);
        poison(att);
        poison(lse);
        step.run();  // direct launches; also creates the cuBLASLt plan outside the capture
        float[] directX = download(x), directAtt = download(att.narrow(0, 0, s / 2)), directLse = download(lse.narrow(1, 0, s / 2));
        requireWritten("graph: direct x", directX);
        requireWritten("graph: direct attention", directAtt);
        poison(x);
        poison(att);
        poison(lse);
        try (CudaGraph g = CudaGraph.capture(o.stream(), step)) {
            for (int rep = 0; rep < 3; rep++) {
                g.launch(o.stream());
            }
            o.synchronize();
        }
        float[] gx = download(x), ga = download(att.narrow(0, 0, s / 2)), gl = download(lse.narrow(1, 0, s / 2));
        requireEqual("graph replay x", gx, directX);
        requireEqual("graph replay attention", ga, directAtt);
        requireEqual("graph replay lse", gl, directLse);
    }

    /**
     * Two chains that share an input and write apart, through {@code concurrently}: the results equal the
     * same ops run one after the other, launched directly and replayed from a captured graph (fork/join).
     */
    static void concurrent() {
        CudaOps o = ops();
        DType dt = DType.BF16;
        int s = 300, d = 256;
        Tensor x = upload(roundTo(randn(s * d, 50, 1), dt), dt, s, d);
        Tensor w1 = upload(roundTo(randn(d * d, 51, 1.0 / 16), dt), dt, d, d);
        Tensor w2 = upload(roundTo(randn(d * d, 52, 1.0 / 16), dt), dt, d, d);
        Tensor gate = upload(roundTo(randn(d, 53, 0.5), dt), dt, d);
        Tensor a = o.scratch().allocate(dt, s, d), b = o.scratch().allocate(dt, s, d);
        Tensor ra = o.scratch().allocate(dt, s, d), rb = o.scratch().allocate(dt, s, d);
        Tensor ya = o.scratch().allocate(dt, s, d), yb = o.scratch().allocate(dt, s, d);
        java.util.function.BiConsumer<dev.sparkdit.ops.Ops, Tensor[]> chain = (p, t) -> {
            p.copy(t[0], x);
            p.linear(t[1], x, t[2], null, Activation.GELU_TANH);
            p.addGated(t[0], t[1], gate);
        };
        Tensor[] ta = {a, ya, w1}, tb = {b, yb, w2};
        chain.accept(o, new Tensor[] {ra, ya, w1});
        chain.accept(o, new Tensor[] {rb, yb, w2});
        float[] wantA = download(ra), wantB = download(rb);
        poison(a);
        poison(b);
        Runnable step = () -> o.concurrently(m -> chain.accept(m, ta), sd -> chain.accept(sd, tb));
        step.run();
        float[] directB = download(b);
        requireEqual("concurrently, direct: main chain", download(a), wantA);
        // the side stream has its own cuBLASLt handle, whose tuning may pick another algorithm: close, not equal
        requireClose("concurrently, direct: side chain", directB, HostData.toDouble(wantB), tol(dt));
        poison(a);
        poison(b);
        try (CudaGraph g = CudaGraph.capture(o.stream(), step)) {
            g.launch(o.stream());
            o.synchronize();
        }
        requireEqual("concurrently, graph: main chain", download(a), wantA);
        requireEqual("concurrently, graph: side chain", download(b), directB);
    }
}
