package dev.sparkdit.models;

import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Checks a checkpoint against the parameters a model expects, then copies them into an arena. */
public final class ParamLoader {
    private ParamLoader() {
    }

    /** Throws {@link CheckpointMismatchException} listing every problem; returns normally if all keys fit. */
    public static void validate(TensorSource src, String layout, List<ModelParam> params) {
        validate(src, layout, params, key -> false);
    }

    /**
     * As {@link #validate(TensorSource, String, List)}, with keys the checkpoint may hold that this model does not
     * use (the VAE's encoder when only decoding, a tied copy of an embedding) not counted as unexpected.
     */
    public static void validate(TensorSource src, String layout, List<ModelParam> params,
                                java.util.function.Predicate<String> unused) {
        Map<String, long[]> expected = new LinkedHashMap<>();
        for (ModelParam p : params) {
            for (ParamPart part : p.parts()) {
                expected.put(part.key(), part.keyShape());
            }
        }
        List<String> missing = new ArrayList<>();
        Map<String, long[][]> misshaped = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            if (!src.names().contains(e.getKey())) {
                missing.add(e.getKey());
            } else {
                long[] actual = src.shape(e.getKey());
                if (!Arrays.equals(actual, e.getValue())) {
                    misshaped.put(e.getKey(), new long[][] {actual, e.getValue()});
                }
            }
        }
        List<String> unexpected = new ArrayList<>(new TreeSet<>(src.names()));
        unexpected.removeAll(expected.keySet());
        unexpected.removeIf(unused);
        if (!missing.isEmpty() || !unexpected.isEmpty() || !misshaped.isEmpty()) {
            throw new CheckpointMismatchException(src.description(), layout, missing, unexpected, misshaped);
        }
    }

    /** Allocates each parameter in {@code arena} as {@code dtype} and fills it from its parts. */
    public static Map<String, Tensor> load(TensorSource src, List<ModelParam> params, Ops ops, Arena arena, DType dtype) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (ModelParam p : params) {
            Tensor t = arena.allocate(dtype, p.shape());
            long row = 0;
            for (ParamPart part : p.parts()) {
                DType srcType = src.dtype(part.key());
                long[] ks = part.keyShape();
                long rowElems = 1;
                for (int i = 1; i < ks.length; i++) {
                    rowElems *= ks[i];
                }
                long rowBytes = rowElems * srcType.bytes();
                ByteBuffer all = src.data(part.key());
                ByteBuffer slice = all.duplicate().order(all.order());
                slice.position(Math.toIntExact(part.rowStart() * rowBytes));
                slice.limit(Math.toIntExact((part.rowStart() + part.rows()) * rowBytes));
                ops.copyFromHost(t.narrow(0, row, part.rows()), slice.slice().order(all.order()), srcType);
                row += part.rows();
            }
            out.put(p.name(), t);
        }
        return out;
    }
}
