package dev.sparkdit.gputest;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

import java.util.List;

import static dev.sparkdit.gputest.GpuFixture.check;
import static dev.sparkdit.gputest.GpuFixture.download;
import static dev.sparkdit.gputest.GpuFixture.ops;
import static dev.sparkdit.gputest.GpuFixture.poisoned;
import static dev.sparkdit.gputest.GpuFixture.upload;
import static dev.sparkdit.gputest.HostData.randn;
import static dev.sparkdit.gputest.HostData.requireClose;
import static dev.sparkdit.gputest.HostData.requireWritten;
import static dev.sparkdit.gputest.HostData.roundTo;

/**
 * Data movement: {@code Convert} (dtype conversion, row-strided) and {@code StridedCopy} (any two views of one
 * shape), each against the values it must move, element by element, and nothing written outside the views.
 */
final class CopyChecks {
    private CopyChecks() {
    }

    static List<GpuCheck> all() {
        return List.of(
                check("convert f32->bf16->f32 (row-strided)", CopyChecks::convertBf16),
                check("convert f32->f16->f32", CopyChecks::convertF16),
                check("strided copy BF16 Ulysses packing [U, 3, hu, P, Dh] <- [H, S, Dh]", CopyChecks::stridedPack),
                check("strided copy F32 transposed and odd-width views", CopyChecks::stridedTransposed));
    }

    static void convertBf16() {
        int rows = 33, cols = 70, wide = 96;
        float[] v = randn(rows * cols, 1, 3.0);
        Tensor srcWide = poisoned(DType.F32, rows, wide);
        Tensor src = srcWide.narrow(1, 13, cols);
        ops().copyFromHost(src, HostData.f32Bytes(v), DType.F32);  // host -> strided f32
        Tensor dstWide = poisoned(DType.BF16, rows, wide);
        Tensor dst = dstWide.narrow(1, 5, cols);
        ops().copy(dst, src);
        float[] got = download(dst);
        float[] want = roundTo(v, DType.BF16);
        requireWritten("convert f32->bf16", got);
        for (int i = 0; i < got.length; i++) {
            if (Float.compare(got[i], want[i]) != 0) {
                throw new AssertionError("convert f32->bf16: element " + i + " is " + got[i] + ", round-to-nearest-even"
                        + " of " + v[i] + " is " + want[i]);
            }
        }
        float[] all = download(dstWide);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < wide; c++) {
                boolean inside = c >= 5 && c < 5 + cols;
                if (!inside && !Float.isNaN(all[r * wide + c])) {
                    throw new AssertionError("convert wrote outside its view at row " + r + ", column " + c);
                }
            }
        }
    }

    static void convertF16() {
        int n = 4096;
        float[] v = randn(n, 2, 10.0);
        Tensor src = upload(v, DType.F32, n);
        Tensor half = poisoned(DType.F16, n);
        Tensor back = poisoned(DType.F32, n);
        ops().copy(half, src);
        ops().copy(back, half);
        requireClose("convert f32->f16->f32", download(back), HostData.toDouble(v), 1e-3);
    }

    /** q [H, S, Dh] into slot t = 1 of a [U, 3, hu, P, Dh] send buffer, as Ulysses packs it (S < P). */
    static void stridedPack() {
        int u = 2, hu = 3, h = u * hu, p = 37, s = 35, dh = 64;
        float[] q = roundTo(randn(h * s * dh, 11, 1), DType.BF16);
        Tensor src = upload(q, DType.BF16, h, s, dh);
        Tensor send = poisoned(DType.BF16, u, 3, hu, p, dh);
        long chunk = 3L * hu * p * dh;
        Tensor to = new Tensor(send.address() + (long) hu * p * dh * 2, send.device(), DType.BF16,
                new long[] {u, hu, s, dh}, new long[] {chunk, (long) p * dh, dh, 1});
        ops().copy(to, src.view(u, hu, s, dh));
        float[] got = download(send);
        for (int i = 0; i < got.length; i++) {
            int d = i % dh, row = i / dh % p, head = i / (dh * p) % hu, slot = i / (dh * p * hu) % 3, rank = i / (int) chunk;
            boolean written = slot == 1 && row < s;
            float want = written ? q[((rank * hu + head) * s + row) * dh + d] : Float.NaN;
            if (Float.compare(got[i], want) != 0) {
                throw new AssertionError("strided pack: send[" + rank + ", " + slot + ", " + head + ", " + row + ", " + d
                        + "] is " + got[i] + ", expected " + want + (written ? "" : " (outside the view: untouched)"));
            }
        }
    }

    /** A column-major source (inner stride 5) and rows of 7 floats inside rows of 9: element units. */
    static void stridedTransposed() {
        int rows = 7, cols = 5;
        float[] v = randn(rows * cols, 12, 1);
        Tensor colMajor = upload(v, DType.F32, cols, rows);  // v[c * rows + r] is element (r, c)
        Tensor t = new Tensor(colMajor.address(), colMajor.device(), DType.F32, new long[] {rows, cols},
                new long[] {1, rows});
        Tensor wide = poisoned(DType.F32, rows, cols + 4);
        ops().copy(wide.narrow(1, 2, cols), t);
        float[] got = download(wide);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols + 4; c++) {
                float want = c >= 2 && c < 2 + cols ? v[(c - 2) * rows + r] : Float.NaN;
                if (Float.compare(got[r * (cols + 4) + c], want) != 0) {
                    throw new AssertionError("strided transpose: (" + r + ", " + c + ") is " + got[r * (cols + 4) + c]
                            + ", expected " + want);
                }
            }
        }
    }
}
