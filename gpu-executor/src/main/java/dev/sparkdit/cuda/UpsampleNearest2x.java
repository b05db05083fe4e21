package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

/**
 * Nearest-neighbour upsampling by 2 of a channels-last image: {@code out[2H, 2W, C] = x[H, W, C]} with each
 * pixel repeated over a 2 x 2 block (the VAE's {@code Upsample2D} before its convolution; kernels in
 * upsample_nearest2x.cu). A copy, so it moves N-byte units whatever the dtype:
 *
 * <pre>
 *   upsample_nearest2x_bN(U* out, const U* x, i64 H, i32 W, i32 cu)
 *   N = the largest of 16, 8, 4, 2 dividing a pixel's C * elementBytes with both addresses N-byte aligned;
 *   cu = C * elementBytes / N units per pixel. x and out contiguous.
 *   grid (ceil(W * cu / 256), min(H, 65535)), block 256: thread i of input row h reads unit i once and stores
 *   it at (2h, 2w), (2h, 2w + 1), (2h + 1, 2w), (2h + 1, 2w + 1)
 * </pre>
 */
public final class UpsampleNearest2x {
    static final int BLOCK = 256;
    static final int[] UNITS = {16, 8, 4, 2};
    private final KernelModule module;
    private final CudaStream stream;

    public UpsampleNearest2x(KernelModule module, CudaStream stream) {
        this.module = module;
        this.stream = stream;
    }

    public static String kernelName(int unitBytes) {
        return "upsample_nearest2x_b" + unitBytes;
    }

    public void run(Tensor out, Tensor x) {
        Matrix.requireCuda(out, "upsampleNearest2x out");
        Matrix.requireCuda(x, "upsampleNearest2x x");
        Matrix.requireDType(x, "upsampleNearest2x x", DType.F32, DType.BF16, DType.F16);
        if (out.dtype() != x.dtype()) {
            throw new IllegalArgumentException("upsampleNearest2x needs one dtype: x " + x + ", out " + out);
        }
        if (x.rank() != 3 || out.rank() != 3 || out.dim(0) != 2 * x.dim(0) || out.dim(1) != 2 * x.dim(1)
                || out.dim(2) != x.dim(2)) {
            throw new IllegalArgumentException("upsampleNearest2x: out must be [2H, 2W, C] for x [H, W, C], got x " + x
                    + ", out " + out);
        }
        Matrix.requireContiguous(x, "upsampleNearest2x x");
        Matrix.requireContiguous(out, "upsampleNearest2x out");
        if (x.numel() == 0) {
            return;
        }
        long pixelBytes = x.dim(2) * x.dtype().bytes();
        int unit = 2;
        for (int n : UNITS) {
            if (pixelBytes % n == 0 && x.address() % n == 0 && out.address() % n == 0) {
                unit = n;
                break;
            }
        }
        long cu = pixelBytes / unit;
        long rowUnits = x.dim(1) * cu;
        if (rowUnits > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("upsampleNearest2x: an image row of " + rowUnits + " units is too wide"
                    + " (x " + x + ")");
        }
        try (KernelArgs k = new KernelArgs().ptr(out).ptr(x).i64(x.dim(0)).i32(x.dim(1)).i32(cu)) {
            module.launch(kernelName(unit), Matrix.ceilDiv(rowUnits, BLOCK), Math.min(x.dim(0), 65535), 1, BLOCK, 0,
                    stream, k);
        }
    }
}
