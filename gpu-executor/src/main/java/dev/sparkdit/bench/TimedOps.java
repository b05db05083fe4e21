package dev.sparkdit.bench;

import dev.sparkdit.backend.DeviceEvent;
import dev.sparkdit.ops.Activation;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Device;
import dev.sparkdit.tensor.Tensor;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * An {@link Ops} decorator that brackets every op with the backend's device events and adds
 * the elapsed device time to the op's kind: where a step's time goes (GEMM, attention, the rest).
 * Eager mode only; a pool of events is reused per step.
 */
final class TimedOps implements Ops {
    /**
     * GEMM; GEMV (one-row linears: the modulation table and the conditioning MLPs, bound by reading their
     * weights); attention and its ring merges; copies, fills and fp8 (de)quantization; everything else.
     */
    enum Kind { GEMM, GEMV, ATTENTION, COPY, OTHER }

    private final Ops inner;
    private final java.util.function.Supplier<DeviceEvent> events;
    private final List<DeviceEvent> pool = new ArrayList<>();
    private final List<Kind> kinds = new ArrayList<>();
    private int used;

    /** @param events new device events on the stream {@code inner} enqueues on (the backend's) */
    TimedOps(Ops inner, java.util.function.Supplier<DeviceEvent> events) {
        this.inner = inner;
        this.events = events;
    }

    private DeviceEvent next() {
        if (used == pool.size()) {
            pool.add(events.get());
        }
        return pool.get(used++);
    }

    private void timed(Kind kind, Runnable op) {
        next().record();
        op.run();
        next().record();
        kinds.add(kind);
    }

    /** Waits for the step, returns ms per kind, and resets for the next step. */
    Map<Kind, Double> collect() {
        Map<Kind, Double> ms = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            ms.put(k, 0.0);
        }
        if (used > 0) {
            pool.get(used - 1).synchronize();
        }
        for (int i = 0; i < kinds.size(); i++) {
            double e = pool.get(2 * i + 1).elapsedMs(pool.get(2 * i));
            ms.merge(kinds.get(i), e, Double::sum);
        }
        kinds.clear();
        used = 0;
        return ms;
    }


    @Override
    public Device device() {
        return inner.device();
    }

    @Override
    public Arena scratch() {
        return inner.scratch();
    }

    @Override
    public void copyFromHost(Tensor dst, ByteBuffer src, DType srcType) {
        inner.copyFromHost(dst, src, srcType);
    }

    @Override
    public float[] toFloatArray(Tensor src) {
        return inner.toFloatArray(src);
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        timed(Kind.COPY, () -> inner.copy(dst, src));
    }

    @Override
    public void fill(Tensor dst, float value) {
        timed(Kind.COPY, () -> inner.fill(dst, value));
    }

    @Override
    public void fillUniform(Tensor dst, long seed, float offset, float scale) {
        timed(Kind.COPY, () -> inner.fillUniform(dst, seed, offset, scale));
    }

    @Override
    public void linear(Tensor out, Tensor x, Tensor w, Tensor bias, Activation act) {
        timed(x.dim(0) == 1 ? Kind.GEMV : Kind.GEMM, () -> inner.linear(out, x, w, bias, act));
    }

    @Override
    public void linearFp8(Tensor out, Tensor xq, Tensor xScale, Tensor wq, Tensor wScale, Tensor bias, Activation act) {
        timed(xq.dim(0) == 1 ? Kind.GEMV : Kind.GEMM, () -> inner.linearFp8(out, xq, xScale, wq, wScale, bias, act));
    }

    @Override
    public void activation(Tensor out, Tensor x, Activation act) {
        timed(Kind.OTHER, () -> inner.activation(out, x, act));
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b) {
        timed(Kind.OTHER, () -> inner.add(out, a, b));
    }

    @Override
    public void layerNormModulate(Tensor out, Tensor x, Tensor shift, Tensor scale, float eps) {
        timed(Kind.OTHER, () -> inner.layerNormModulate(out, x, shift, scale, eps));
    }

    @Override
    public void qkNormRope(Tensor qkv, Tensor normQ, Tensor normK, float eps, Tensor cos, Tensor sin, Tensor q,
                           Tensor k, Tensor v, long seqOffset) {
        timed(Kind.OTHER, () -> inner.qkNormRope(qkv, normQ, normK, eps, cos, sin, q, k, v, seqOffset));
    }

    @Override
    public void attention(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, float scale) {
        timed(Kind.ATTENTION, () -> inner.attention(out, lse, q, k, v, scale));
    }

    @Override
    public void mergeAttention(Tensor out, Tensor lse, Tensor outB, Tensor lseB) {
        timed(Kind.ATTENTION, () -> inner.mergeAttention(out, lse, outB, lseB));
    }

    @Override
    public void mul(Tensor out, Tensor a, Tensor b) {
        timed(Kind.OTHER, () -> inner.mul(out, a, b));
    }

    @Override
    public void layerNorm(Tensor out, Tensor x, Tensor weight, Tensor bias, float eps) {
        timed(Kind.OTHER, () -> inner.layerNorm(out, x, weight, bias, eps));
    }

    @Override
    public void rmsNorm(Tensor out, Tensor x, Tensor weight, float eps) {
        timed(Kind.OTHER, () -> inner.rmsNorm(out, x, weight, eps));
    }

    @Override
    public void groupNorm(Tensor out, Tensor x, Tensor weight, Tensor bias, int groups, float eps, Activation act) {
        timed(Kind.OTHER, () -> inner.groupNorm(out, x, weight, bias, groups, eps, act));
    }

    @Override
    public void conv2d(Tensor out, Tensor x, Tensor weight, Tensor bias, int pad) {
        timed(Kind.GEMM, () -> inner.conv2d(out, x, weight, bias, pad));
    }

    @Override
    public void upsampleNearest2x(Tensor out, Tensor x) {
        timed(Kind.COPY, () -> inner.upsampleNearest2x(out, x));
    }

    @Override
    public void embedding(Tensor out, Tensor table, Tensor ids) {
        timed(Kind.COPY, () -> inner.embedding(out, table, ids));
    }

    @Override
    public void maskedAttention(Tensor out, Tensor q, Tensor k, Tensor v, float scale, boolean causal, Tensor bias) {
        timed(Kind.ATTENTION, () -> inner.maskedAttention(out, q, k, v, scale, causal, bias));
    }

    @Override
    public void addGated(Tensor x, Tensor y, Tensor gate) {
        timed(Kind.OTHER, () -> inner.addGated(x, y, gate));
    }

    @Override
    public void timestepEmbedding(Tensor out, Tensor t, float tScale) {
        timed(Kind.OTHER, () -> inner.timestepEmbedding(out, t, tScale));
    }

    @Override
    public void quantizeFp8(Tensor q8, Tensor scales, Tensor x, int group) {
        timed(Kind.COPY, () -> inner.quantizeFp8(q8, scales, x, group));
    }

    @Override
    public void dequantizeFp8(Tensor x, Tensor q8, Tensor scales, int group) {
        timed(Kind.COPY, () -> inner.dequantizeFp8(x, q8, scales, group));
    }

    @Override
    public void synchronize() {
        inner.synchronize();
    }

    /** Frees the events; the wrapped ops stay open (they belong to the caller). */
    @Override
    public void close() {
        for (DeviceEvent e : pool) {
            e.close();
        }
        pool.clear();
    }
}
