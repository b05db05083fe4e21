package dev.sparkdit.models.flux;

import dev.sparkdit.models.ModelParam;
import dev.sparkdit.ops.Activation;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Tensor;
import dev.sparkdit.usp.ReplicaSplit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every block's AdaLN modulation for one step, computed up front from {@code silu(temb)}: one row of
 * {@code D} values per (shift, scale or gate) vector, the blocks' linears stacked in order.
 *
 * <pre>
 *   table  [V, D]   rows [first(i), first(i) + out(i) / D) = linears.get(i)(silu(temb))
 *   FLUX.1: V = 12 per double block (6 image + 6 text) + 3 per single block + 2 (norm_out) = 344
 * </pre>
 *
 * <p>The modulation depends on the conditioning vector alone, so every rank of a sequence would
 * compute the same numbers, each reading all of their weights (6.5 GB per step for FLUX.1, about a
 * millisecond and a half of HBM time on an H200). With a {@link ReplicaSplit} of {@code n} ranks, rank
 * {@code i} computes rows {@code [i*P, (i+1)*P)}, {@code P = ceil(V / n)}, as a few GEMVs over
 * row ranges of the weights, and one all-gather of {@code n * P} rows (2 MB in bf16) assembles the
 * table on every rank. Rows past {@code V} are padding nobody reads.
 */
final class ModulationTable {
    private final List<FluxTransformer.Linear> linears;
    private final int[] first;
    private final int vectors;
    private final long d;
    /** All weights as one {@code [V*D, D]} matrix and all biases as one vector, when they lie back to back. */
    private final FluxTransformer.Linear packed;

    ModulationTable(List<FluxTransformer.Linear> linears, long d) {
        this.linears = List.copyOf(linears);
        this.d = d;
        this.first = new int[linears.size()];
        int at = 0;
        for (int i = 0; i < linears.size(); i++) {
            long out = linears.get(i).outFeatures();
            if (out % d != 0 || linears.get(i).weight.dim(1) != d) {
                throw new IllegalArgumentException("modulation linear " + i + " is " + linears.get(i).weight
                        + ": expected [k * " + d + ", " + d + "]");
            }
            first[i] = at;
            at += (int) (out / d);
        }
        this.vectors = at;
        this.packed = pack(this.linears, (long) at * d, d);
    }

    /**
     * One linear spanning every table row when the weights follow each other in memory, and the biases too
     * ({@link #modulationFirst} loads them so), so that a rank's share is one GEMV instead of one per block;
     * null otherwise.
     */
    private static FluxTransformer.Linear pack(List<FluxTransformer.Linear> ls, long rows, long d) {
        if (ls.isEmpty()) {
            return null;
        }
        Tensor w0 = ls.get(0).weight, b0 = ls.get(0).bias;
        long w = w0.address(), b = b0.address();
        for (FluxTransformer.Linear l : ls) {
            if (l.weight.address() != w || l.bias.address() != b || !l.weight.isContiguous()
                    || l.weight.dtype() != w0.dtype() || l.bias.dtype() != b0.dtype()
                    || !l.weight.device().equals(w0.device()) || !l.bias.device().equals(w0.device())) {
                return null;
            }
            w += l.weight.bytes();
            b += l.bias.bytes();
        }
        return new FluxTransformer.Linear(new Tensor(w0.address(), w0.device(), w0.dtype(), rows, d),
                new Tensor(b0.address(), b0.device(), b0.dtype(), rows));
    }

    /**
     * {@code params} with the modulation linears' weights first, in table order, then their biases, then
     * the rest as they were: allocated in that order from one arena, the weights (and the biases) lie back
     * to back, so the table is one GEMV (alignment permitting: each must be a multiple of 256 bytes, as
     * FLUX.1's are).
     */
    static List<ModelParam> modulationFirst(List<ModelParam> params, FluxConfig c) {
        List<String> names = linearNames(c);
        Map<String, ModelParam> byName = new LinkedHashMap<>();
        for (ModelParam p : params) {
            byName.put(p.name(), p);
        }
        List<ModelParam> out = new ArrayList<>();
        for (String suffix : new String[] {".weight", ".bias"}) {
            for (String n : names) {
                ModelParam p = byName.remove(n + suffix);
                if (p != null) {
                    out.add(p);
                }
            }
        }
        out.addAll(byName.values());
        return out;
    }

    /**
     * The checkpoint names of the table's linears, in table order: per double block the image then the text
     * stream's ({@code norm1}, {@code norm1_context}), then each single block's, then {@code norm_out}.
     */
    static List<String> linearNames(FluxConfig c) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            names.add("transformer_blocks." + i + ".norm1.linear");
            names.add("transformer_blocks." + i + ".norm1_context.linear");
        }
        for (int i = 0; i < c.numSingleLayers(); i++) {
            names.add("single_transformer_blocks." + i + ".norm.linear");
        }
        names.add("norm_out.linear");
        return names;
    }

    /** Rows of FLUX's table for {@code config}, for sizing scratch before a model exists. */
    static long rows(FluxConfig config) {
        return 12L * config.numLayers() + 3L * config.numSingleLayers() + 2;
    }

    /** Whether the weights lie back to back, so a share is one GEMV. */
    boolean packed() {
        return packed != null;
    }

    /** Rows of the table. */
    int vectors() {
        return vectors;
    }

    /** Rows each of {@code n} replicas computes: {@code ceil(V / n)}. */
    int share(int n) {
        return (vectors + n - 1) / n;
    }

    /**
     * Fills and returns the table (from {@code ops.scratch()}, released by the caller's reset). With one
     * replica the GEMVs write the table directly; otherwise this rank's share goes to a send buffer and
     * the all-gather writes the table.
     */
    Tensor compute(Ops ops, ReplicaSplit split, Tensor siluTemb) {
        int n = split.count();
        int p = share(n);
        Tensor table = ops.scratch().allocate(siluTemb.dtype(), (long) n * p, d);
        if (n == 1) {
            fill(ops, siluTemb, table, 0, vectors);
            return table;
        }
        int lo = split.index() * p;
        Tensor send = ops.scratch().allocate(siluTemb.dtype(), p, d);
        fill(ops, siluTemb, send, lo, Math.min(lo + p, vectors));
        split.allGather(send, table);
        return table;
    }

    /**
     * Rows {@code [lo, hi)} of the table into {@code dst}'s rows from 0: one GEMV over the packed weights, or
     * one per linear they cross.
     */
    private void fill(Ops ops, Tensor siluTemb, Tensor dst, int lo, int hi) {
        if (packed != null) {
            if (lo < hi) {
                long rows = (long) (hi - lo) * d;
                ops.linear(dst.narrow(0, 0, hi - lo).view(1, rows), siluTemb, packed.weight.narrow(0, lo * d, rows),
                        packed.bias.narrow(0, lo * d, rows), Activation.NONE);
            }
            return;
        }
        for (int i = 0; i < linears.size(); i++) {
            FluxTransformer.Linear l = linears.get(i);
            int from = Math.max(lo, first[i]);
            int to = Math.min(hi, first[i] + (int) (l.outFeatures() / d));
            if (from >= to) {
                continue;
            }
            long rows = (long) (to - from) * d;
            long skip = (long) (from - first[i]) * d;
            Tensor out = dst.narrow(0, from - lo, to - from).view(1, rows);
            ops.linear(out, siluTemb, l.weight.narrow(0, skip, rows), l.bias.narrow(0, skip, rows), Activation.NONE);
        }
    }

    /** Linear {@code i}'s output as a {@code [1, out]} view of {@code table}. */
    Tensor of(Tensor table, int i) {
        long rows = linears.get(i).outFeatures() / d;
        return table.narrow(0, first[i], rows).view(1, rows * d);
    }
}
