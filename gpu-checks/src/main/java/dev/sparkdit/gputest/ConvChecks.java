package dev.sparkdit.gputest;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;

import static dev.sparkdit.gputest.GpuFixture.download;
import static dev.sparkdit.gputest.GpuFixture.ops;
import static dev.sparkdit.gputest.GpuFixture.poisoned;
import static dev.sparkdit.gputest.GpuFixture.upload;
import static dev.sparkdit.gputest.HostData.randn;
import static dev.sparkdit.gputest.HostData.roundTo;
import static dev.sparkdit.gputest.GpuFixture.check;
import static dev.sparkdit.gputest.MeasuredChecks.requireClose;
import static dev.sparkdit.gputest.MeasuredChecks.time;
import static dev.sparkdit.gputest.MeasuredChecks.tolGemm;

/**
 * {@code conv2d} (cuDNN, channels-last, stride 1, zero padding, bias by our epilogue kernel) against a direct fp64
 * convolution in plain Java, fp32 (tolerance 1e-4: TF32 would miss it) and bf16 (2e-2). The VAE's convolutions
 * (conv_in 16 -> 512, conv_out 128 -> 3, 3 x 3 at 128 channels, 1 x 1 shortcuts) and odd ones (5 and 7 channels,
 * a 5 x 3 kernel, no padding, no bias); the 1024 x 1024 x 128 layer is checked on 2048 sampled pixels (plus the
 * corners) and timed.
 */
public final class ConvChecks {
    private ConvChecks() {
    }

    public static List<GpuCheck> all() {
        List<GpuCheck> c = new ArrayList<>();
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            String t = dt.name().toLowerCase(Locale.ROOT);
            c.add(check("conv2d " + t + " [32, 32, 16] -> 512 3x3 pad 1 + bias (VAE conv_in)",
                    () -> conv(dt, 32, 32, 16, 512, 3, 3, 1, true, 0)));
            c.add(check("conv2d " + t + " [48, 40, 128] -> 3 3x3 pad 1 + bias (VAE conv_out, Cout 3)",
                    () -> conv(dt, 48, 40, 128, 3, 3, 3, 1, true, 0)));
            c.add(check("conv2d " + t + " [24, 20, 64] -> 32 1x1 + bias (shortcut)",
                    () -> conv(dt, 24, 20, 64, 32, 1, 1, 0, true, 0)));
            c.add(check("conv2d " + t + " [9, 11, 5] -> 7 5x3 pad 2, no bias (odd channels)",
                    () -> conv(dt, 9, 11, 5, 7, 5, 3, 2, false, 0)));
            c.add(check("conv2d " + t + " [16, 16, 24] -> 40 3x3 pad 0 + bias", () -> conv(dt, 16, 16, 24, 40, 3, 3, 0,
                    true, 0)));
            c.add(check("conv2d " + t + " [64, 64, 128] -> 128 3x3 pad 1 + bias", () -> conv(dt, 64, 64, 128, 128, 3, 3,
                    1, true, 0)));
            c.add(check("conv2d " + t + " [1024, 1024, 128] -> 128 3x3 pad 1 + bias (VAE at 1024 x 1024), sampled, timed",
                    () -> conv(dt, 1024, 1024, 128, 128, 3, 3, 1, true, 2048)));
        }
        return c;
    }

    /**
     * x [h, w, cin] (uploaded, or with {@code samples} > 0 filled on the device with fillUniform), weight
     * [cout, kh, kw, cin] with std 1 / sqrt(fan-in), bias [cout]; the output compared at every pixel, or at
     * {@code samples} random pixels and the four corners.
     */
    static void conv(DType dt, int h, int w, int cin, int cout, int kh, int kw, int pad, boolean bias, int samples) {
        int ho = h + 2 * pad - kh + 1, wo = w + 2 * pad - kw + 1;
        long seed = 301;
        Tensor tx;
        float[] x;
        if (samples == 0) {
            x = roundTo(randn(h * w * cin, seed, 1), dt);
            tx = upload(x, dt, h, w, cin);
        } else {
            x = null;  // regenerated on the host where needed
            tx = ops().scratch().allocate(dt, h, w, cin);
            ops().fillUniform(tx, seed, 0f, 1f);
        }
        float[] wt = roundTo(randn(cout * kh * kw * cin, 302, 1 / Math.sqrt((double) cin * kh * kw)), dt);
        float[] b = roundTo(randn(cout, 303, 0.5), dt);
        Tensor out = poisoned(dt, ho, wo, cout);
        Tensor tw = upload(wt, dt, cout, kh, kw, cin), tb = bias ? upload(b, dt, cout) : null;
        ops().conv2d(out, tx, tw, tb, pad);
        int[] pixels;
        if (samples == 0) {
            pixels = IntStream.range(0, ho * wo).toArray();
        } else {
            Random r = new Random(304);
            pixels = new int[samples + 4];
            pixels[0] = 0;
            pixels[1] = wo - 1;
            pixels[2] = (ho - 1) * wo;
            pixels[3] = ho * wo - 1;
            for (int i = 4; i < pixels.length; i++) {
                pixels[i] = r.nextInt(ho * wo);
            }
        }
        float[] all = download(out);
        float[] got = new float[pixels.length * cout];
        double[] ref = new double[pixels.length * cout];
        IntStream.range(0, pixels.length).parallel().forEach(i -> {
            int oy = pixels[i] / wo, ox = pixels[i] % wo;
            for (int co = 0; co < cout; co++) {
                double acc = bias ? b[co] : 0;
                for (int ky = 0; ky < kh; ky++) {
                    int iy = oy + ky - pad;
                    if (iy < 0 || iy >= h) {
                        continue;
                    }
                    for (int kx = 0; kx < kw; kx++) {
                        int ix = ox + kx - pad;
                        if (ix < 0 || ix >= w) {
                            continue;
                        }
                        int xi = (iy * w + ix) * cin, wi = ((co * kh + ky) * kw + kx) * cin;
                        for (int ci = 0; ci < cin; ci++) {
                            double xv = x != null ? x[xi + ci] : ImageOpChecks.filled(dt, seed, (long) xi + ci, 0f);
                            acc += xv * wt[wi + ci];
                        }
                    }
                }
                ref[i * cout + co] = acc;
                got[i * cout + co] = all[pixels[i] * cout + co];
            }
        });
        String what = "conv2d " + dt + " [" + h + ", " + w + ", " + cin + "] -> " + cout + " " + kh + "x" + kw + " pad "
                + pad + (bias ? " + bias" : "") + (samples > 0 ? " (" + pixels.length + " pixels)" : "");
        HostData.requireWritten(what + " (every output element)", all);
        requireClose(what, got, ref, tolGemm(dt));
        if (samples > 0) {
            double ms = time(what, 5, () -> ops().conv2d(out, tx, tw, tb, pad));
            double tflop = 2.0 * ho * wo * cout * kh * kw * cin / 1e12;
            System.out.printf(Locale.ROOT, "     %s: %.1f TFLOP/s%n", what, tflop / (ms / 1e3));
        }
    }
}
