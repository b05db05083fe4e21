package dev.sparkdit.usp.testing;

import dev.sparkdit.torch.TorchViews;

import dev.sparkdit.ops.Activation;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Device;
import dev.sparkdit.tensor.Tensor;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import java.nio.ByteBuffer;

/**
 * A small CPU {@link Ops} for usp-attention's own tests: libtorch over the tensors' memory
 * ({@code from_blob}, strides honoured) for the ops sequence-parallel attention uses; the rest throw.
 * Attention is computed explicitly in fp32 (scores, log-sum-exp, softmax, values) so the lse is exact.
 */
public final class TestOps implements Ops {
    private final HostMemory memory;

    public TestOps(long scratchBytes) {
        memory = new HostMemory("test-scratch", scratchBytes);
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Arena scratch() {
        return memory.arena();
    }

    /** The tensor's memory as a libtorch tensor of the same shape, strides and dtype (no copy). */
    public static org.bytedeco.pytorch.Tensor wrap(Tensor t) {
        return TorchViews.wrap(t);
    }

    static ScalarType scalarType(DType d) {
        return TorchViews.scalarType(d);
    }

    @Override
    public void copyFromHost(Tensor dst, ByteBuffer src, DType srcType) {
        long n = dst.numel() * srcType.bytes();
        BytePointer tmp = new BytePointer(n);
        for (long i = 0; i < n; i++) {
            tmp.put(i, src.get(src.position() + (int) i));
        }
        org.bytedeco.pytorch.Tensor s = torch.from_blob(tmp, dst.shape(), new TensorOptions(scalarType(srcType)));
        wrap(dst).copy_(s);
        tmp.close();
    }

    @Override
    public float[] toFloatArray(Tensor src) {
        int n = Math.toIntExact(src.numel());
        FloatPointer tmp = new FloatPointer(n);
        torch.from_blob(tmp, src.shape(), new TensorOptions(ScalarType.Float)).copy_(wrap(src));
        float[] out = new float[n];
        tmp.get(out);
        tmp.close();
        return out;
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        if (!java.util.Arrays.equals(dst.shape(), src.shape())) {
            throw new IllegalArgumentException("copy: shapes differ: " + dst + " <- " + src);
        }
        if (dst.rank() > 4) {
            throw new IllegalArgumentException("copy: rank " + dst.rank() + " > 4");
        }
        wrap(dst).copy_(wrap(src));
    }

    @Override
    public void fill(Tensor dst, float value) {
        wrap(dst).fill_(new Scalar(value));
    }

    @Override
    public void attention(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, float scale) {
        long h = q.dim(0);
        long sq = q.dim(1);
        long dh = q.dim(2);
        // out [Sq, H*Dh] or [parts, Sq / parts, H*Dh] (rows in parts, see Ops.attention)
        long parts = out.rank() == 3 ? out.dim(0) : 1;
        if (out.rank() == 3) {
            out.requireShape("attention out", parts, sq / parts, h * dh);
        } else {
            out.requireShape("attention out", sq, h * dh);
        }
        org.bytedeco.pytorch.Tensor qf = wrap(q).toType(ScalarType.Float);
        org.bytedeco.pytorch.Tensor kf = wrap(k).toType(ScalarType.Float);
        org.bytedeco.pytorch.Tensor vf = wrap(v).toType(ScalarType.Float);
        org.bytedeco.pytorch.Tensor scores = qf.matmul(kf.transpose(1, 2)).mul(new Scalar(scale));
        org.bytedeco.pytorch.Tensor l = scores.logsumexp(new long[] {-1}, false);
        org.bytedeco.pytorch.Tensor o = scores.sub(l.unsqueeze(-1)).exp().matmul(vf); // [H, Sq, Dh]
        long rowStride = out.stride(out.rank() - 2);
        long partStride = out.rank() == 3 ? out.stride(0) : rowStride * sq;
        Tensor outView = new Tensor(out.address(), out.device(), out.dtype(), new long[] {parts, sq / parts, h, dh},
                new long[] {partStride, rowStride, dh, 1});
        wrap(outView).copy_(o.permute(1, 0, 2).reshape(parts, sq / parts, h, dh));
        if (lse != null) {
            lse.requireShape("attention lse", h, sq);
            wrap(lse).copy_(l);
        }
    }

    @Override
    public void mergeAttention(Tensor out, Tensor lse, Tensor outB, Tensor lseB) {
        long h = lse.dim(0);
        long s = lse.dim(1);
        long dh = out.dim(1) / h;
        org.bytedeco.pytorch.Tensor o = wrap(out);
        org.bytedeco.pytorch.Tensor ob = wrap(outB);
        org.bytedeco.pytorch.Tensor l = wrap(lse);
        org.bytedeco.pytorch.Tensor lb = wrap(lseB);
        // weight [S, H, 1] from [H, S]
        org.bytedeco.pytorch.Tensor w = torch.sigmoid(lb.sub(l)).transpose(0, 1).unsqueeze(-1);
        org.bytedeco.pytorch.Tensor o3 = o.reshape(s, h, dh);
        org.bytedeco.pytorch.Tensor merged = o3.sub(w.mul(o3.sub(ob.reshape(s, h, dh))));
        org.bytedeco.pytorch.Tensor newL = l.sub(torch.log_sigmoid(l.sub(lb)));
        o.copy_(merged.reshape(s, h * dh));
        l.copy_(newL);
    }

    @Override
    public void quantizeFp8(Tensor q8, Tensor scales, Tensor x, int group) {
        long s = x.dim(0);
        long c = x.dim(1);
        org.bytedeco.pytorch.Tensor xf = wrap(x).toType(ScalarType.Float).reshape(s, c / group, group);
        org.bytedeco.pytorch.Tensor amax = xf.abs().amax(new long[] {-1}, true);
        org.bytedeco.pytorch.Tensor scale = torch.where(amax.eq(new Scalar(0f)), new Scalar(1f),
                amax.div(new Scalar(448f)));
        wrap(q8).copy_(xf.div(scale).reshape(s, c).toType(ScalarType.Float8_e4m3fn));
        wrap(scales).copy_(scale.reshape(s, c / group));
    }

    @Override
    public void dequantizeFp8(Tensor x, Tensor q8, Tensor scales, int group) {
        long s = x.dim(0);
        long c = x.dim(1);
        org.bytedeco.pytorch.Tensor qf = wrap(q8).toType(ScalarType.Float).reshape(s, c / group, group);
        org.bytedeco.pytorch.Tensor sc = wrap(scales).toType(ScalarType.Float).reshape(s, c / group, 1);
        wrap(x).copy_(qf.mul(sc).reshape(s, c));
    }

    @Override
    public void synchronize() {
    }

    @Override
    public void close() {
        memory.close();
    }

    // ---- not needed by these tests ----------------------------------------------------------------

    @Override
    public void linear(Tensor out, Tensor x, Tensor w, Tensor bias, Activation act) {
        throw new UnsupportedOperationException("TestOps.linear");
    }

    @Override
    public void activation(Tensor out, Tensor x, Activation act) {
        throw new UnsupportedOperationException("TestOps.activation");
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b) {
        throw new UnsupportedOperationException("TestOps.add");
    }

    @Override
    public void layerNormModulate(Tensor out, Tensor x, Tensor shift, Tensor scale, float eps) {
        throw new UnsupportedOperationException("TestOps.layerNormModulate");
    }

    @Override
    public void qkNormRope(Tensor qkv, Tensor normQ, Tensor normK, float eps, Tensor cos, Tensor sin, Tensor q,
                           Tensor k, Tensor v, long seqOffset) {
        throw new UnsupportedOperationException("TestOps.qkNormRope");
    }

    @Override
    public void addGated(Tensor x, Tensor y, Tensor gate) {
        throw new UnsupportedOperationException("TestOps.addGated");
    }

    @Override
    public void timestepEmbedding(Tensor out, Tensor t, float tScale) {
        throw new UnsupportedOperationException("TestOps.timestepEmbedding");
    }
}
