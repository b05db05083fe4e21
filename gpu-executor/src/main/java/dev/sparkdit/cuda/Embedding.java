package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

/**
 * Rows of an embedding table: {@code out[S, D] = table[ids[s], :]}, {@code ids [S]} I32 on the device (kernels in
 * embedding.cu). A copy, so it moves N-byte units whatever the dtype (out and table of one dtype).
 *
 * <p>Ids out of range: the callers that own the ids (the tokenizers' outputs) check them on the host before the
 * upload, as {@link dev.sparkdit.ops.Ops#embedding} says. On the device an id outside {@code [0, rows)} is never
 * dereferenced; its output row is filled with all-ones bytes (NaN in f32, bf16 and f16), so a bad id cannot
 * read stray memory and shows up in the result. No flag, no synchronisation: graph replay stays free of host work.
 *
 * <pre>
 *   embedding_bN(U* out, i64 ldo, const U* table, i64 ldt, i64 tableRows, const i32* ids, i64 S, i32 rowUnits)
 *   N = the largest of 16, 8, 4, 2 dividing D * elementBytes, both row strides in bytes and both addresses;
 *   ldo, ldt, rowUnits in N-byte units. grid (ceil(rowUnits / 128), min(S, 65535)), block 128
 * </pre>
 */
public final class Embedding {
    static final int BLOCK = 128;
    private final KernelModule module;
    private final CudaStream stream;

    public Embedding(KernelModule module, CudaStream stream) {
        this.module = module;
        this.stream = stream;
    }

    public static String kernelName(int unitBytes) {
        return "embedding_b" + unitBytes;
    }

    public void run(Tensor out, Tensor table, Tensor ids) {
        Matrix.requireCuda(out, "embedding out");
        Matrix.requireCuda(table, "embedding table");
        Matrix.requireCuda(ids, "embedding ids");
        Matrix.requireDType(table, "embedding table", DType.F32, DType.BF16, DType.F16);
        Matrix.requireDType(ids, "embedding ids", DType.I32);
        if (out.dtype() != table.dtype()) {
            throw new IllegalArgumentException("embedding needs one dtype: table " + table + ", out " + out);
        }
        if (ids.rank() != 1 || table.rank() != 2 || out.rank() != 2 || out.dim(0) != ids.dim(0)
                || out.dim(1) != table.dim(1)) {
            throw new IllegalArgumentException("embedding: out [S, D] = table [rows, D] at ids [S]; got out " + out
                    + ", table " + table + ", ids " + ids);
        }
        Matrix.requireContiguous(ids, "embedding ids");
        Matrix mo = Matrix.of(out, "embedding out"), mt = Matrix.of(table, "embedding table");
        if (mo.rows() == 0 || mo.cols() == 0) {
            return;
        }
        int e = table.dtype().bytes();
        long rowBytes = mo.cols() * e;
        int unit = 2;
        for (int n : UpsampleNearest2x.UNITS) {
            if (rowBytes % n == 0 && (mo.ld() * e) % n == 0 && (mt.ld() * e) % n == 0 && out.address() % n == 0
                    && table.address() % n == 0) {
                unit = n;
                break;
            }
        }
        long rowUnits = rowBytes / unit;
        if (rowUnits > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("embedding: rows of " + mo.cols() + " elements are too wide (" + table + ")");
        }
        try (KernelArgs k = new KernelArgs().ptr(out).i64(mo.ld() * e / unit).ptr(table).i64(mt.ld() * e / unit)
                .i64(table.dim(0)).ptr(ids).i64(ids.dim(0)).i32(rowUnits)) {
            module.launch(kernelName(unit), Matrix.ceilDiv(rowUnits, BLOCK), Math.min(ids.dim(0), 65535), 1, BLOCK, 0,
                    stream, k);
        }
    }
}
