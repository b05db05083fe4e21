package dev.sparkdit.cpu;

import dev.sparkdit.ops.Activation;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.ops.SeededUniform;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Device;
import dev.sparkdit.tensor.Tensor;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import static dev.sparkdit.torch.TorchViews.scalarType;
import static dev.sparkdit.torch.TorchViews.wrap;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The CPU reference backend: every op is a few libtorch calls over views of arena memory, computed in
 * fp32 (fp64 inputs stay fp64) and written back into the destination tensor. It favours being
 * obviously right over being fast: it runs CI, anchors the GPU tests and lets a laptop run the job.
 * It lives beside the op seam, in this bottom module, so that the sequence-parallel strategies' own tests
 * run against the same reference the models use (one CPU implementation, not a test copy of it).
 */
public final class TorchOps implements Ops {
    private final HostMemory scratchMemory;
    private final Arena scratch;

    public TorchOps(long scratchBytes) {
        this.scratchMemory = new HostMemory("cpu-scratch", scratchBytes);
        this.scratch = scratchMemory.arena();
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Arena scratch() {
        return scratch;
    }

    // ---- wrapping ------------------------------------------------------------------------------

    /** The compute view: fp32 unless the tensor is fp64. */
    private static org.bytedeco.pytorch.Tensor f(Tensor t) {
        org.bytedeco.pytorch.Tensor w = wrap(t);
        return t.dtype() == DType.F64 || t.dtype() == DType.F32 ? w : w.to(ScalarType.Float);
    }

    private static void store(Tensor dst, org.bytedeco.pytorch.Tensor value) {
        wrap(dst).copy_(value);
    }

    private static void requireSameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": shapes differ: " + Arrays.toString(a.shape()) + " vs "
                    + Arrays.toString(b.shape()));
        }
    }

    private static org.bytedeco.pytorch.Tensor apply(org.bytedeco.pytorch.Tensor x, Activation act) {
        return switch (act) {
            case NONE -> x;
            case SILU -> torch.silu(x);
            case GELU_TANH -> torch.gelu(x, "tanh");
            case QUICK_GELU -> x.mul(torch.sigmoid(x.mul(new Scalar(1.702))));
        };
    }

    // ---- data movement -------------------------------------------------------------------------

    @Override
    public void copyFromHost(Tensor dst, ByteBuffer src, DType srcType) {
        try (PointerScope ignored = new PointerScope()) {
            long need = dst.numel() * srcType.bytes();
            if (src.remaining() != need) {
                throw new IllegalArgumentException("copyFromHost: " + src.remaining() + " bytes given for " + dst
                        + " as " + srcType + " (" + need + " bytes expected)");
            }
            ByteBuffer direct = src.slice();
            if (!direct.isDirect()) {
                direct = ByteBuffer.allocateDirect(src.remaining());
                direct.put(src.duplicate());
                direct.flip();
            }
            Pointer p = new Pointer(direct);
            org.bytedeco.pytorch.Tensor s = torch.from_blob(p, dst.shape(),
                    new TensorOptions(scalarType(srcType)));
            store(dst, s);
        }
    }

    @Override
    public float[] toFloatArray(Tensor src) {
        try (PointerScope ignored = new PointerScope()) {
            int n = Math.toIntExact(src.numel());
            try (FloatPointer fp = new FloatPointer(n)) {
                org.bytedeco.pytorch.Tensor out = torch.from_blob(fp, src.shape(), new TensorOptions(ScalarType.Float));
                out.copy_(wrap(src));
                float[] result = new float[n];
                fp.get(result);
                return result;
            }
        }
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        try (PointerScope ignored = new PointerScope()) {
            requireSameShape("copy", dst, src);
            store(dst, wrap(src));
        }
    }

    @Override
    public void fill(Tensor dst, float value) {
        try (PointerScope ignored = new PointerScope()) {
            wrap(dst).fill_(new Scalar(value));
        }
    }

    @Override
    public void fillUniform(Tensor dst, long seed, float offset, float scale) {
        try (PointerScope ignored = new PointerScope()) {
            if (!dst.isContiguous()) {
                throw new IllegalArgumentException("fillUniform needs a contiguous tensor, got " + dst);
            }
            // In slices of 1M elements, so that a large tensor needs no array of its size on the heap.
            long n = dst.numel();
            Tensor flat = dst.view(n);
            int slice = 1 << 20;
            for (long at = 0; at < n; at += slice) {
                int len = (int) Math.min(slice, n - at);
                float[] v = new float[len];
                SeededUniform.fill(v, seed, at, offset, scale);
                ByteBuffer b = ByteBuffer.allocateDirect(len * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(v);
                copyFromHost(flat.narrow(0, at, len), b, DType.F32);
            }
        }
    }

    // ---- compute -------------------------------------------------------------------------------

    @Override
    public void linear(Tensor out, Tensor x, Tensor w, Tensor bias, Activation act) {
        try (PointerScope ignored = new PointerScope()) {
            if (x.rank() != 2 || w.rank() != 2 || out.rank() != 2 || x.dim(1) != w.dim(1)
                    || out.dim(0) != x.dim(0) || out.dim(1) != w.dim(0)
                    || (bias != null && (bias.rank() != 1 || bias.dim(0) != w.dim(0)))) {
                throw new IllegalArgumentException("linear: out " + Arrays.toString(out.shape()) + " = x "
                        + Arrays.toString(x.shape()) + " @ w " + Arrays.toString(w.shape()) + "^T + bias "
                        + (bias == null ? "none" : Arrays.toString(bias.shape())));
            }
            org.bytedeco.pytorch.Tensor y = bias == null
                    ? torch.linear(f(x), f(w))
                    : torch.linear(f(x), f(w), new TensorOptional(f(bias)));
            store(out, apply(y, act));
        }
    }

    @Override
    public void activation(Tensor out, Tensor x, Activation act) {
        try (PointerScope ignored = new PointerScope()) {
            requireSameShape("activation", out, x);
            store(out, apply(f(x), act));
        }
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b) {
        try (PointerScope ignored = new PointerScope()) {
            requireSameShape("add", out, a);
            requireSameShape("add", out, b);
            store(out, f(a).add(f(b)));
        }
    }

    @Override
    public void layerNormModulate(Tensor out, Tensor x, Tensor shift, Tensor scale, float eps) {
        try (PointerScope ignored = new PointerScope()) {
            requireSameShape("layerNormModulate", out, x);
            long d = x.dim(-1);
            if (shift.numel() != d || scale.numel() != d) {
                throw new IllegalArgumentException("layerNormModulate: shift " + Arrays.toString(shift.shape())
                        + " and scale " + Arrays.toString(scale.shape()) + " must hold " + d + " elements");
            }
            org.bytedeco.pytorch.Tensor n = torch.layer_norm(f(x), new long[] {d}, new TensorOptional(),
                    new TensorOptional(), eps, false);
            org.bytedeco.pytorch.Tensor sc = f(scale).reshape(d).add(new Scalar(1.0));
            store(out, n.mul(sc).add(f(shift).reshape(d)));
        }
    }

    @Override
    public void qkNormRope(Tensor qkv, Tensor normQ, Tensor normK, float eps, Tensor cos, Tensor sin,
                           Tensor q, Tensor k, Tensor v, long seqOffset) {
        try (PointerScope ignored = new PointerScope()) {
            long s = qkv.dim(0);
            int r = q.rank();
            boolean grouped = r == 4; // [G, H/G, Stot, Dh]: groups of heads placed apart (QkvTargets)
            long h = grouped ? q.dim(0) * q.dim(1) : q.dim(0);
            long dh = q.dim(r - 1);
            if ((r != 3 && r != 4) || !Arrays.equals(k.shape(), q.shape()) || !Arrays.equals(v.shape(), q.shape())
                    || qkv.rank() != 2 || qkv.dim(1) != 3 * h * dh
                    || cos.dim(0) != s || cos.dim(1) != dh || sin.dim(0) != s || normQ.numel() != dh
                    || normK.numel() != dh || seqOffset < 0 || seqOffset + s > q.dim(r - 2)) {
                throw new IllegalArgumentException("qkNormRope: qkv " + Arrays.toString(qkv.shape()) + ", q "
                        + Arrays.toString(q.shape()) + ", k " + Arrays.toString(k.shape()) + ", v "
                        + Arrays.toString(v.shape()) + ", cos " + Arrays.toString(cos.shape()) + ", norms "
                        + normQ.numel() + "/" + normK.numel() + ", offset " + seqOffset);
            }
            org.bytedeco.pytorch.Tensor all = f(qkv);
            org.bytedeco.pytorch.Tensor c = f(cos).unsqueeze(1);
            org.bytedeco.pytorch.Tensor sn = f(sin).unsqueeze(1);
            org.bytedeco.pytorch.Tensor[] parts = new org.bytedeco.pytorch.Tensor[3];
            for (int i = 0; i < 3; i++) {
                parts[i] = all.narrow(1, i * h * dh, h * dh).reshape(s, h, dh);
            }
            org.bytedeco.pytorch.Tensor qn = rope(rmsNorm(parts[0], f(normQ), eps), c, sn);
            org.bytedeco.pytorch.Tensor kn = rope(rmsNorm(parts[1], f(normK), eps), c, sn);
            org.bytedeco.pytorch.Tensor[] heads = {qn.transpose(0, 1), kn.transpose(0, 1), parts[2].transpose(0, 1)};
            Tensor[] dst = {q, k, v};
            for (int i = 0; i < 3; i++) {
                Tensor rows = dst[i].narrow(r - 2, seqOffset, s);
                store(rows, grouped ? heads[i].reshape(rows.shape()) : heads[i]);
            }
        }
    }

    /** diffusers RMSNorm: x * rsqrt(mean(x^2) + eps) * weight, in fp32. */
    private static org.bytedeco.pytorch.Tensor rmsNorm(org.bytedeco.pytorch.Tensor x,
                                                        org.bytedeco.pytorch.Tensor w, float eps) {
        org.bytedeco.pytorch.Tensor var = x.pow(new Scalar(2.0)).mean(new long[] {-1}, true,
                new org.bytedeco.pytorch.ScalarTypeOptional());
        return x.mul(var.add(new Scalar((double) eps)).rsqrt()).mul(w);
    }

    /** diffusers apply_rotary_emb (use_real, unbind dim -1): pairs (2i, 2i+1) rotate together. */
    private static org.bytedeco.pytorch.Tensor rope(org.bytedeco.pytorch.Tensor x, org.bytedeco.pytorch.Tensor cos,
                                                     org.bytedeco.pytorch.Tensor sin) {
        long[] shape = x.sizes().vec().get();
        long[] pairs = Arrays.copyOf(shape, shape.length + 1);
        pairs[shape.length - 1] = shape[shape.length - 1] / 2;
        pairs[shape.length] = 2;
        org.bytedeco.pytorch.Tensor xp = x.reshape(pairs);
        org.bytedeco.pytorch.Tensor real = xp.select(-1, 0);
        org.bytedeco.pytorch.Tensor imag = xp.select(-1, 1);
        TensorVector tv = new TensorVector(imag.neg(), real);
        org.bytedeco.pytorch.Tensor rotated = torch.stack(tv, -1).reshape(shape);
        return x.mul(cos).add(rotated.mul(sin));
    }

    @Override
    public void attention(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, float scale) {
        try (PointerScope ignored = new PointerScope()) {
            long h = q.dim(0);
            long sq = q.dim(1);
            long dh = q.dim(2);
            // out [Sq, H*Dh] or [parts, Sq / parts, H*Dh] (rows in parts, see Ops.attention)
            boolean outOk = out.rank() == 2 ? out.dim(0) == sq && out.dim(1) == h * dh
                    : out.rank() == 3 && out.dim(0) * out.dim(1) == sq && out.dim(2) == h * dh;
            if (k.dim(0) != h || v.dim(0) != h || k.dim(2) != dh || v.dim(2) != dh || k.dim(1) != v.dim(1)
                    || !outOk || (lse != null && (lse.dim(0) != h || lse.dim(1) != sq))) {
                throw new IllegalArgumentException("attention: q " + Arrays.toString(q.shape()) + ", k "
                        + Arrays.toString(k.shape()) + ", v " + Arrays.toString(v.shape()) + ", out "
                        + Arrays.toString(out.shape()) + (lse == null ? "" : ", lse " + Arrays.toString(lse.shape())));
            }
            org.bytedeco.pytorch.Tensor scores = f(q).matmul(f(k).transpose(1, 2)).mul(new Scalar((double) scale));
            org.bytedeco.pytorch.Tensor l = torch.logsumexp(scores, new long[] {-1}, true);
            org.bytedeco.pytorch.Tensor p = scores.sub(l).exp();
            org.bytedeco.pytorch.Tensor o = p.matmul(f(v));
            store(out, o.transpose(0, 1).reshape(out.shape()));
            if (lse != null) {
                store(lse, l.squeeze(-1));
            }
        }
    }

    @Override
    public void mergeAttention(Tensor out, Tensor lse, Tensor outB, Tensor lseB) {
        try (PointerScope ignored = new PointerScope()) {
            requireSameShape("mergeAttention", out, outB);
            requireSameShape("mergeAttention", lse, lseB);
            long h = lse.dim(0);
            long s = lse.dim(1);
            org.bytedeco.pytorch.Tensor o = f(out).reshape(s, h, -1);
            org.bytedeco.pytorch.Tensor ob = f(outB).reshape(s, h, -1);
            org.bytedeco.pytorch.Tensor l = f(lse);
            org.bytedeco.pytorch.Tensor lb = f(lseB);
            org.bytedeco.pytorch.Tensor w = torch.sigmoid(lb.sub(l)).transpose(0, 1).unsqueeze(-1);
            org.bytedeco.pytorch.Tensor merged = o.sub(w.mul(o.sub(ob))).reshape(s, -1);
            org.bytedeco.pytorch.Tensor lm = l.sub(torch.log_sigmoid(l.sub(lb)));
            store(out, merged);
            store(lse, lm);
        }
    }

    @Override
    public void mul(Tensor out, Tensor a, Tensor b) {
        try (PointerScope ignored = new PointerScope()) {
            requireSameShape("mul", out, a);
            requireSameShape("mul", out, b);
            store(out, f(a).mul(f(b)));
        }
    }

    @Override
    public void layerNorm(Tensor out, Tensor x, Tensor weight, Tensor bias, float eps) {
        try (PointerScope ignored = new PointerScope()) {
            requireSameShape("layerNorm", out, x);
            long d = x.dim(-1);
            requireVector("layerNorm weight", weight, d);
            requireVector("layerNorm bias", bias, d);
            store(out, torch.layer_norm(f(x), new long[] {d}, weight == null ? new TensorOptional()
                    : new TensorOptional(f(weight).reshape(d)), bias == null ? new TensorOptional()
                    : new TensorOptional(f(bias).reshape(d)), eps, false));
        }
    }

    @Override
    public void rmsNorm(Tensor out, Tensor x, Tensor weight, float eps) {
        try (PointerScope ignored = new PointerScope()) {
            requireSameShape("rmsNorm", out, x);
            long d = x.dim(-1);
            requireVector("rmsNorm weight", weight, d);
            store(out, rmsNorm(f(x), f(weight).reshape(d), eps));
        }
    }

    @Override
    public void groupNorm(Tensor out, Tensor x, Tensor weight, Tensor bias, int groups, float eps, Activation act) {
        try (PointerScope ignored = new PointerScope()) {
            requireSameShape("groupNorm", out, x);
            long c = x.dim(-1);
            if (x.rank() != 2 || groups < 1 || c % groups != 0) {
                throw new IllegalArgumentException("groupNorm: x " + Arrays.toString(x.shape()) + " must be [pixels, C]"
                        + " with C divisible by " + groups + " groups");
            }
            requireVector("groupNorm weight", weight, c);
            requireVector("groupNorm bias", bias, c);
            org.bytedeco.pytorch.Tensor nchw = f(x).transpose(0, 1).unsqueeze(0); // [1, C, P]
            org.bytedeco.pytorch.Tensor n = torch.group_norm(nchw, groups, new TensorOptional(f(weight).reshape(c)),
                    new TensorOptional(f(bias).reshape(c)), eps, false);
            store(out, apply(n.squeeze(0).transpose(0, 1), act));
        }
    }

    @Override
    public void conv2d(Tensor out, Tensor x, Tensor weight, Tensor bias, int pad) {
        try (PointerScope ignored = new PointerScope()) {
            long kh = weight.dim(1);
            long kw = weight.dim(2);
            if (x.rank() != 3 || weight.rank() != 4 || out.rank() != 3 || weight.dim(3) != x.dim(2) || pad < 0
                    || out.dim(0) != x.dim(0) + 2L * pad - kh + 1 || out.dim(1) != x.dim(1) + 2L * pad - kw + 1
                    || out.dim(2) != weight.dim(0) || (bias != null && bias.numel() != weight.dim(0))) {
                throw new IllegalArgumentException("conv2d: out " + Arrays.toString(out.shape()) + " = x "
                        + Arrays.toString(x.shape()) + " conv weight " + Arrays.toString(weight.shape()) + " (pad " + pad
                        + ") + bias " + (bias == null ? "none" : Arrays.toString(bias.shape())));
            }
            org.bytedeco.pytorch.Tensor in = f(x).permute(2, 0, 1).unsqueeze(0);
            org.bytedeco.pytorch.Tensor w = f(weight).permute(0, 3, 1, 2);
            org.bytedeco.pytorch.Tensor y = torch.conv2d(in, w, bias == null ? new TensorOptional()
                    : new TensorOptional(f(bias).reshape(weight.dim(0))), new long[] {1, 1}, new long[] {pad, pad},
                    new long[] {1, 1}, 1);
            store(out, y.squeeze(0).permute(1, 2, 0));
        }
    }

    @Override
    public void upsampleNearest2x(Tensor out, Tensor x) {
        try (PointerScope ignored = new PointerScope()) {
            long h = x.dim(0);
            long w = x.dim(1);
            long c = x.dim(2);
            if (x.rank() != 3 || out.rank() != 3 || out.dim(0) != 2 * h || out.dim(1) != 2 * w || out.dim(2) != c) {
                throw new IllegalArgumentException("upsampleNearest2x: out " + Arrays.toString(out.shape()) + " must be"
                        + " twice x " + Arrays.toString(x.shape()) + " in height and width");
            }
            store(out, f(x).reshape(h, 1, w, 1, c).expand(h, 2, w, 2, c).reshape(2 * h, 2 * w, c));
        }
    }

    @Override
    public void embedding(Tensor out, Tensor table, Tensor ids) {
        try (PointerScope ignored = new PointerScope()) {
            if (ids.dtype() != DType.I32 || ids.rank() != 1 || table.rank() != 2 || out.rank() != 2
                    || out.dim(0) != ids.dim(0) || out.dim(1) != table.dim(1)) {
                throw new IllegalArgumentException("embedding: out " + Arrays.toString(out.shape()) + " = table "
                        + Arrays.toString(table.shape()) + " rows at I32 ids [S], got ids " + ids);
            }
            store(out, torch.index_select(wrap(table), 0, wrap(ids).to(ScalarType.Long)));
        }
    }

    @Override
    public void maskedAttention(Tensor out, Tensor q, Tensor k, Tensor v, float scale, boolean causal, Tensor bias) {
        try (PointerScope ignored = new PointerScope()) {
            long h = q.dim(0);
            long sq = q.dim(1);
            long sk = k.dim(1);
            long dh = q.dim(2);
            if (q.rank() != 3 || k.dim(0) != h || v.dim(0) != h || k.dim(2) != dh || v.dim(1) != sk || out.rank() != 2
                    || out.dim(0) != sq || out.dim(1) != h * v.dim(2)
                    || (bias != null && !Arrays.equals(bias.shape(), new long[] {h, sq, sk}))) {
                throw new IllegalArgumentException("maskedAttention: q " + Arrays.toString(q.shape()) + ", k "
                        + Arrays.toString(k.shape()) + ", v " + Arrays.toString(v.shape()) + ", out "
                        + Arrays.toString(out.shape()) + ", bias " + (bias == null ? "none" : Arrays.toString(bias.shape())));
            }
            org.bytedeco.pytorch.Tensor scores = f(q).matmul(f(k).transpose(1, 2)).mul(new Scalar((double) scale));
            if (bias != null) {
                scores = scores.add(f(bias));
            }
            if (causal) {
                org.bytedeco.pytorch.Tensor above = torch.ones(new long[] {sq, sk}, new TensorOptions(ScalarType.Bool))
                        .triu(1);
                scores = scores.masked_fill(above, new Scalar(Double.NEGATIVE_INFINITY));
            }
            org.bytedeco.pytorch.Tensor l = torch.logsumexp(scores, new long[] {-1}, true);
            org.bytedeco.pytorch.Tensor o = scores.sub(l).exp().matmul(f(v));
            store(out, o.transpose(0, 1).reshape(out.shape()));
        }
    }

    private static void requireVector(String what, Tensor t, long d) {
        if (t != null && t.numel() != d) {
            throw new IllegalArgumentException(what + " " + Arrays.toString(t.shape()) + " must hold " + d + " elements");
        }
    }

    @Override
    public void addGated(Tensor x, Tensor y, Tensor gate) {
        try (PointerScope ignored = new PointerScope()) {
            requireSameShape("addGated", x, y);
            long d = x.dim(-1);
            if (gate.numel() != d) {
                throw new IllegalArgumentException("addGated: gate " + Arrays.toString(gate.shape()) + " must hold "
                        + d + " elements for x " + Arrays.toString(x.shape()));
            }
            store(x, f(x).add(f(y).mul(f(gate).reshape(d))));
        }
    }

    @Override
    public void timestepEmbedding(Tensor out, Tensor t, float tScale) {
        try (PointerScope ignored = new PointerScope()) {
            long dim = out.numel();
            if (dim % 2 != 0 || t.numel() != 1) {
                throw new IllegalArgumentException("timestepEmbedding: out " + Arrays.toString(out.shape())
                        + " must have an even size and t " + Arrays.toString(t.shape()) + " one element");
            }
            long half = dim / 2;
            org.bytedeco.pytorch.Tensor exponent = torch.arange(new Scalar(0), new Scalar(half),
                            new TensorOptions(ScalarType.Float))
                    .mul(new Scalar(-Math.log(10000.0))).div(new Scalar((double) half));
            org.bytedeco.pytorch.Tensor ts = wrap(t).to(ScalarType.Float).reshape(1).mul(new Scalar((double) tScale));
            org.bytedeco.pytorch.Tensor arg = ts.mul(exponent.exp());
            store(out, torch.cat(new TensorVector(arg.cos(), arg.sin())).reshape(out.shape()));
        }
    }

    @Override
    public void quantizeFp8(Tensor q8, Tensor scales, Tensor x, int group) {
        try (PointerScope ignored = new PointerScope()) {
            requireSameShape("quantizeFp8", q8, x);
            long rows = x.dim(0);
            long cols = x.dim(-1);
            if (x.rank() != 2 || group <= 0 || cols % group != 0 || scales.dim(0) != rows || scales.dim(1) != cols / group) {
                throw new IllegalArgumentException("quantizeFp8: x " + Arrays.toString(x.shape()) + ", group " + group
                        + ", scales " + Arrays.toString(scales.shape()));
            }
            org.bytedeco.pytorch.Tensor g = f(x).reshape(rows, cols / group, group);
            org.bytedeco.pytorch.Tensor amax = g.abs().amax(new long[] {-1}, false);
            org.bytedeco.pytorch.Tensor sc = torch.where(amax.gt(new Scalar(0.0)), amax.div(new Scalar(448.0)),
                    torch.ones_like(amax));
            store(scales, sc);
            store(q8, g.div(sc.unsqueeze(-1)).reshape(rows, cols).to(ScalarType.Float8_e4m3fn));
        }
    }

    @Override
    public void dequantizeFp8(Tensor x, Tensor q8, Tensor scales, int group) {
        try (PointerScope ignored = new PointerScope()) {
            requireSameShape("dequantizeFp8", x, q8);
            long rows = x.dim(0);
            long cols = x.dim(-1);
            org.bytedeco.pytorch.Tensor g = wrap(q8).to(ScalarType.Float).reshape(rows, cols / group, group);
            store(x, g.mul(f(scales).unsqueeze(-1)).reshape(rows, cols));
        }
    }

    @Override
    public void synchronize() {
        // libtorch CPU ops complete before they return.
    }

    @Override
    public void close() {
        scratchMemory.close();
    }
}
