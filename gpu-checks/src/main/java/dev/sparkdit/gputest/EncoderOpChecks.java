package dev.sparkdit.gputest;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static dev.sparkdit.gputest.GpuFixture.download;
import static dev.sparkdit.gputest.GpuFixture.ops;
import static dev.sparkdit.gputest.GpuFixture.poisoned;
import static dev.sparkdit.gputest.GpuFixture.upload;
import static dev.sparkdit.gputest.HostData.randn;
import static dev.sparkdit.gputest.HostData.roundTo;
import static dev.sparkdit.gputest.GpuFixture.check;
import static dev.sparkdit.gputest.MeasuredChecks.requireClose;
import static dev.sparkdit.gputest.MeasuredChecks.requireSame;
import static dev.sparkdit.gputest.MeasuredChecks.tol;

/**
 * The text encoders' row ops on CUDA against plain-Java fp64 references: {@code mul}, {@code layerNorm} (CLIP),
 * {@code rmsNorm} (T5) and {@code embedding}, in fp32 and bf16, on seeded inputs rounded to the storage dtype on the
 * host. Shapes reach every kernel variant: a warp per row (CLIP's 768), a block per row with the row in registers
 * (T5's 4096), the any-layout kernel (odd widths, unaligned views, rows wider than the registers hold). Outputs
 * are poisoned with NaN first; every element must come back written.
 */
public final class EncoderOpChecks {
    private EncoderOpChecks() {
    }

    public static List<GpuCheck> all() {
        List<GpuCheck> c = new ArrayList<>();
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            String t = dt.name().toLowerCase(Locale.ROOT);
            c.add(check("mul " + t + " [37, 300]", () -> mul(dt, 37, 300, 0)));
            c.add(check("mul " + t + " [5, 10241] row-strided views", () -> mul(dt, 5, 10241, 3)));
            // layerNorm: weight and bias, none, or weight only; the x rows sit at an offset of 4 (mean 4)
            c.add(check("layerNorm " + t + " [77, 768] affine (CLIP; warp per row)",
                    () -> layerNorm(dt, 77, 768, true, true, 0)));
            c.add(check("layerNorm " + t + " [19, 4096] affine (block per row, registers)",
                    () -> layerNorm(dt, 19, 4096, true, true, 0)));
            c.add(check("layerNorm " + t + " [33, 768] no affine", () -> layerNorm(dt, 33, 768, false, false, 0)));
            c.add(check("layerNorm " + t + " [7, 100] weight only, row-strided (any-layout kernel)",
                    () -> layerNorm(dt, 7, 100, true, false, 5)));
            c.add(check("layerNorm " + t + " [3, 10000] affine (wider than the registers hold)",
                    () -> layerNorm(dt, 3, 10000, true, true, 0)));
            c.add(check("rmsNorm " + t + " [512, 4096] (T5-XXL; block per row, registers)",
                    () -> rmsNorm(dt, 512, 4096, 0)));
            c.add(check("rmsNorm " + t + " [40, 512] (warp per row)", () -> rmsNorm(dt, 40, 512, 0)));
            c.add(check("rmsNorm " + t + " [9, 77] row-strided (any-layout kernel)", () -> rmsNorm(dt, 9, 77, 3)));
            c.add(check("rmsNorm " + t + " [4, 9000] (wider than the registers hold)", () -> rmsNorm(dt, 4, 9000, 0)));
            c.add(check("embedding " + t + " [77, 768] from [1000, 768] (16-byte rows)", () -> embedding(dt, 1000, 768, 77, 0)));
            c.add(check("embedding " + t + " [512, 100] from [32128, 100]", () -> embedding(dt, 32128, 100, 512, 0)));
            c.add(check("embedding " + t + " [9, 33] from a row-strided [50, 33] view (unaligned: 2- or 4-byte units)",
                    () -> embedding(dt, 50, 33, 9, 1)));
        }
        c.add(check("embedding bf16 ids out of range (-1, rows) give NaN rows, nothing else",
                EncoderOpChecks::embeddingOutOfRange));
        return c;
    }

    /** {@code pad} > 0: each operand a column range of a buffer {@code pad} columns wider, at column {@code pad}. */
    static Tensor view(DType dt, float[] values, int rows, int cols, int pad) {
        if (pad == 0) {
            return upload(values, dt, rows, cols);
        }
        Tensor wide = poisoned(dt, rows, cols + pad);
        Tensor v = wide.narrow(1, pad, cols);
        ops().copyFromHost(v, HostData.f32Bytes(values), DType.F32);
        return v;
    }

    static void mul(DType dt, int rows, int cols, int pad) {
        float[] a = roundTo(randn(rows * cols, 101, 2), dt);
        float[] b = roundTo(randn(rows * cols, 102, 2), dt);
        Tensor ta = view(dt, a, rows, cols, pad), tb = view(dt, b, rows, cols, pad);
        Tensor out = pad == 0 ? poisoned(dt, rows, cols) : poisoned(dt, rows, cols + pad).narrow(1, 1, cols);
        ops().mul(out, ta, tb);
        double[] ref = new double[rows * cols];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = (double) a[i] * b[i];
        }
        requireClose("mul " + dt + " [" + rows + ", " + cols + "]", download(out), ref, tol(dt));
    }

    static void layerNorm(DType dt, int rows, int cols, boolean weight, boolean bias, int pad) {
        float[] x = randn(rows * cols, 111, 1.5);
        for (int i = 0; i < x.length; i++) {
            x[i] += 4f;
        }
        x = roundTo(x, dt);
        float[] w = roundTo(randn(cols, 112, 1), dt), b = roundTo(randn(cols, 113, 1), dt);
        Tensor tx = view(dt, x, rows, cols, pad);
        Tensor out = pad == 0 ? poisoned(dt, rows, cols) : poisoned(dt, rows, cols + pad).narrow(1, pad, cols);
        float eps = 1e-5f;
        ops().layerNorm(out, tx, weight ? upload(w, dt, cols) : null, bias ? upload(b, dt, cols) : null, eps);
        double[] ref = normRef(x, rows, cols, weight ? w : null, bias ? b : null, eps, false);
        requireClose("layerNorm " + dt + " [" + rows + ", " + cols + "]", download(out), ref, tol(dt));
    }

    static void rmsNorm(DType dt, int rows, int cols, int pad) {
        float[] x = roundTo(randn(rows * cols, 121, 2), dt);
        float[] w = roundTo(randn(cols, 122, 1), dt);
        Tensor tx = view(dt, x, rows, cols, pad);
        Tensor out = pad == 0 ? poisoned(dt, rows, cols) : poisoned(dt, rows, cols + pad).narrow(1, 0, cols);
        float eps = 1e-6f;
        ops().rmsNorm(out, tx, upload(w, dt, cols), eps);
        double[] ref = normRef(x, rows, cols, w, null, eps, true);
        requireClose("rmsNorm " + dt + " [" + rows + ", " + cols + "]", download(out), ref, tol(dt));
    }

    /** LayerNorm (two-pass mean / biased variance) or RMSNorm of each row, in fp64. */
    static double[] normRef(float[] x, int rows, int cols, float[] w, float[] b, float eps, boolean rms) {
        double[] ref = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            if (!rms) {
                for (int c = 0; c < cols; c++) {
                    mean += x[r * cols + c];
                }
                mean /= cols;
            }
            double q = 0;
            for (int c = 0; c < cols; c++) {
                double d = x[r * cols + c] - mean;
                q += d * d;
            }
            double rstd = 1 / Math.sqrt(q / cols + eps);
            for (int c = 0; c < cols; c++) {
                double y = (x[r * cols + c] - mean) * rstd;
                if (w != null) {
                    y *= w[c];
                }
                if (b != null) {
                    y += b[c];
                }
                ref[r * cols + c] = y;
            }
        }
        return ref;
    }

    static Tensor uploadIds(int[] ids) {
        ByteBuffer bytes = ByteBuffer.allocateDirect(ids.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int id : ids) {
            bytes.putInt(id);
        }
        bytes.flip();
        Tensor t = ops().scratch().allocate(DType.I32, ids.length);
        ops().copyFromHost(t, bytes, DType.I32);
        return t;
    }

    static void embedding(DType dt, int tableRows, int cols, int s, int pad) {
        float[] table = roundTo(randn(tableRows * cols, 131, 1), dt);
        Tensor tt = view(dt, table, tableRows, cols, pad);
        Random r = new Random(132);
        int[] ids = new int[s];
        for (int i = 0; i < s; i++) {
            ids[i] = i < 2 ? (i == 0 ? 0 : tableRows - 1) : r.nextInt(tableRows);
        }
        Tensor out = poisoned(dt, s, cols);
        ops().embedding(out, tt, uploadIds(ids));
        float[] want = new float[s * cols];
        for (int i = 0; i < s; i++) {
            System.arraycopy(table, ids[i] * cols, want, i * cols, cols);
        }
        requireSame("embedding " + dt + " [" + s + ", " + cols + "] from [" + tableRows + ", " + cols + "]",
                download(out), want);
    }

    /** Ids -1 and rows read nothing and give NaN rows; the valid ids' rows are exact. */
    static void embeddingOutOfRange() {
        DType dt = DType.BF16;
        int rows = 64, cols = 40;
        float[] table = roundTo(randn(rows * cols, 141, 1), dt);
        int[] ids = {3, -1, 63, 64, 0, Integer.MAX_VALUE};
        Tensor out = poisoned(dt, ids.length, cols);
        ops().fill(out, 7f);  // not NaN to start with: NaN rows must be the kernel's
        ops().embedding(out, upload(table, dt, rows, cols), uploadIds(ids));
        float[] want = new float[ids.length * cols];
        for (int i = 0; i < ids.length; i++) {
            for (int c = 0; c < cols; c++) {
                want[i * cols + c] = ids[i] >= 0 && ids[i] < rows ? table[ids[i] * cols + c] : Float.NaN;
            }
        }
        requireSame("embedding bf16 with ids " + java.util.Arrays.toString(ids), download(out), want);
    }
}
