package dev.sparkdit.models;

import dev.sparkdit.safetensors.TensorBytes;
import dev.sparkdit.safetensors.TensorSpec;
import dev.sparkdit.tensor.DType;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checkpoint of a seeded random model, made on demand: every key of its parameters' parts, in the checkpoint's
 * shape, holding what the model's {@code random} holds after loading (f32 exactly; bf16 rounded to nearest even),
 * chunk by chunk for {@code ShardedSafetensorsWriter}, so no tensor is ever whole in memory.
 *
 * <p>Where checkpoint element {@code e} of a key comes from, for the part that stacks rows {@code [k0, k0 + rows)}
 * of the key at row {@code p0} of its parameter ({@code R} elements a row):
 * <pre>
 *   rank 1, 2:  parameter element e + (p0 - k0) x R
 *   rank 4:     a convolution kernel, [Cout, Cin, kh, kw] in the checkpoint but held channels-last
 *               [Cout, kh, kw, Cin] (VaeDecoder): element (o, i, y, x) is held element
 *               ((o x kh + y) x kw + x) x Cin + i
 * </pre>
 * Keys are listed in natural order of their names ({@code blocks.2} before {@code blocks.10}), the order they go into
 * shards.
 */
public final class RandomCheckpoint implements TensorBytes {
    private final DType dtype;
    private final List<TensorSpec> tensors;
    private final Map<String, Segment[]> segments;

    /** Rows {@code [keyRow, keyRow + rows)} of a key, filled by {@code fill} from parameter row {@code paramRow}. */
    private record Segment(long keyRow, long rows, long rowElements, long paramRow, RandomFill fill, long[] convShape) {
    }

    private RandomCheckpoint(DType dtype, List<TensorSpec> tensors, Map<String, Segment[]> segments) {
        this.dtype = dtype;
        this.tensors = tensors;
        this.segments = segments;
    }

    /** The checkpoint of these fills as {@code dtype} ({@link DType#F32} or {@link DType#BF16}). */
    public static RandomCheckpoint of(List<RandomFill> fills, DType dtype) {
        if (dtype != DType.F32 && dtype != DType.BF16) {
            throw new IllegalArgumentException("a random checkpoint is f32 or bf16, not " + dtype);
        }
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, List<Segment>> byKey = new LinkedHashMap<>();
        for (RandomFill f : fills) {
            long paramRow = 0;
            for (ParamPart part : f.param().parts()) {
                long[] ks = part.keyShape();
                long[] previous = shapes.putIfAbsent(part.key(), ks);
                if (previous != null && !Arrays.equals(previous, ks)) {
                    throw new IllegalArgumentException("key " + part.key() + " has shape " + Arrays.toString(previous)
                            + " in one part and " + Arrays.toString(ks) + " in another");
                }
                if (ks.length == 4 && (f.param().parts().size() != 1 || part.rows() != ks[0])) {
                    throw new IllegalArgumentException("convolution kernel " + part.key() + " must be one whole part");
                }
                long rowElements = 1;
                for (int i = 1; i < ks.length; i++) {
                    rowElements *= ks[i];
                }
                byKey.computeIfAbsent(part.key(), k -> new ArrayList<>()).add(new Segment(part.rowStart(), part.rows(),
                        rowElements, paramRow, f, ks.length == 4 ? ks : null));
                paramRow += part.rows();
            }
        }
        Map<String, Segment[]> segments = new LinkedHashMap<>();
        List<TensorSpec> tensors = new ArrayList<>();
        for (Map.Entry<String, List<Segment>> e : byKey.entrySet()) {
            Segment[] s = e.getValue().toArray(new Segment[0]);
            Arrays.sort(s, Comparator.comparingLong(Segment::keyRow));
            long[] shape = shapes.get(e.getKey());
            long covered = 0;
            for (Segment seg : s) {
                if (seg.keyRow() != covered) {
                    throw new IllegalArgumentException("key " + e.getKey() + ": rows from " + covered + " to "
                            + seg.keyRow() + " belong to no parameter, or to two");
                }
                covered += seg.rows();
            }
            if (covered != (shape.length == 0 ? 1 : shape[0])) {
                throw new IllegalArgumentException("key " + e.getKey() + ": parameters cover " + covered + " of its "
                        + shape[0] + " rows");
            }
            segments.put(e.getKey(), s);
            tensors.add(new TensorSpec(e.getKey(), dtype, shape));
        }
        tensors.sort(Comparator.comparing(TensorSpec::name, RandomCheckpoint::naturalOrder));
        return new RandomCheckpoint(dtype, List.copyOf(tensors), segments);
    }

    public DType dtype() {
        return dtype;
    }

    /** Every key with its shape, in natural order. */
    public List<TensorSpec> tensors() {
        return tensors;
    }

    /** Bytes of all tensors. */
    public long bytes() {
        long total = 0;
        for (TensorSpec t : tensors) {
            total += t.byteSize();
        }
        return total;
    }

    @Override
    public void fill(TensorSpec tensor, long firstElement, ByteBuffer out) {
        Segment[] segs = segments.get(tensor.name());
        if (segs == null) {
            throw new IllegalArgumentException("this random checkpoint has no tensor " + tensor.name());
        }
        long end = firstElement + out.remaining() / dtype.bytes();
        long e = firstElement;
        for (Segment s : segs) {
            long segEnd = (s.keyRow() + s.rows()) * s.rowElements();
            if (e >= segEnd) {
                continue;
            }
            long stop = Math.min(end, segEnd);
            if (s.convShape() != null) {
                long ci = s.convShape()[1];
                long kh = s.convShape()[2];
                long kw = s.convShape()[3];
                for (; e < stop; e++) {
                    long x = e % kw;
                    long y = (e / kw) % kh;
                    long i = (e / (kw * kh)) % ci;
                    long o = e / (kw * kh * ci);
                    put(out, s.fill().value(((o * kh + y) * kw + x) * ci + i));
                }
            } else {
                long delta = (s.paramRow() - s.keyRow()) * s.rowElements();
                for (; e < stop; e++) {
                    put(out, s.fill().value(e + delta));
                }
            }
            if (e == end) {
                return;
            }
        }
    }

    private void put(ByteBuffer out, float v) {
        if (dtype == DType.BF16) {
            out.putShort(bf16(v));
        } else {
            out.putFloat(v);
        }
    }

    /** Round to nearest even: the upper 16 bits of the fp32 pattern (the values here are finite). */
    static short bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** Names compared with runs of digits as numbers: {@code blocks.2.x} before {@code blocks.10.x}. */
    static int naturalOrder(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int ei = i;
                int ej = j;
                while (ei < a.length() && Character.isDigit(a.charAt(ei))) {
                    ei++;
                }
                while (ej < b.length() && Character.isDigit(b.charAt(ej))) {
                    ej++;
                }
                int c = new java.math.BigInteger(a.substring(i, ei))
                        .compareTo(new java.math.BigInteger(b.substring(j, ej)));
                if (c != 0) {
                    return c;
                }
                i = ei;
                j = ej;
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        int c = Integer.compare(a.length() - i, b.length() - j);
        return c != 0 ? c : a.compareTo(b);
    }
}
