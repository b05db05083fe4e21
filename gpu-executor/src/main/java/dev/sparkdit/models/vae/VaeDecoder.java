package dev.sparkdit.models.vae;

import dev.sparkdit.models.HeadViews;
import dev.sparkdit.models.HostFloats;
import dev.sparkdit.models.ModelParam;
import dev.sparkdit.models.ParamLoader;
import dev.sparkdit.models.ParamPart;
import dev.sparkdit.models.RandomFill;
import dev.sparkdit.models.TensorSource;
import dev.sparkdit.ops.Activation;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.HostBuffers;
import dev.sparkdit.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The FLUX autoencoder's decoder (diffusers {@code AutoencoderKL.decode} without quant convolutions), written against
 * {@link Ops} in channels-last layout ({@code [H, W, C]}: an image is a {@code [pixels, C]} matrix, so GroupNorm and
 * the mid-block attention's projections need no transposes and the output is already the interleaved RGB a PNG holds):
 * <pre>
 *   conv_in -> mid block (ResNet, one-head attention over all pixels, ResNet)
 *           -> up blocks, widest first (layers_per_block + 1 ResNets each; all but the last: nearest 2x, conv)
 *           -> GroupNorm + SiLU -> conv_out
 *   ResNet: x + conv2(silu(GN2(conv1(silu(GN1(x)))))), x through a 1x1 conv when the width changes
 * </pre>
 * Convolution weights are stored {@code [Cout, kh, kw, Cin]}: PyTorch's {@code [Cout, Cin, kh, kw]} permuted on the
 * host while loading. Activations live in four buffers of the largest activation's size that each layer reads from
 * and writes to in turn ({@link #scratchBytes}), so a 1024x1024 decode needs four such buffers, not one per layer.
 */
public final class VaeDecoder {
    private final VaeConfig config;
    private final Map<String, Tensor> p;

    private VaeDecoder(VaeConfig config, Map<String, Tensor> p) {
        this.config = config;
        this.p = p;
    }

    public VaeConfig config() {
        return config;
    }

    /** Every decoder parameter under its checkpoint name, in the checkpoint's shape. */
    static List<ModelParam> params(VaeConfig c) {
        List<ModelParam> ps = new ArrayList<>();
        int[] widths = reversed(c.blockOutChannels());
        int top = widths[0];
        conv(ps, "decoder.conv_in", c.latentChannels(), top, 3);
        resnet(ps, "decoder.mid_block.resnets.0", top, top);
        if (c.midBlockAttention()) {
            String a = "decoder.mid_block.attentions.0.";
            norm(ps, a + "group_norm", top);
            ps.add(new ModelParam(a + "qkv.weight", new long[] {3L * top, top}, List.of(
                    ParamPart.whole(a + "to_q.weight", top, top), ParamPart.whole(a + "to_k.weight", top, top),
                    ParamPart.whole(a + "to_v.weight", top, top))));
            ps.add(new ModelParam(a + "qkv.bias", new long[] {3L * top}, List.of(ParamPart.whole(a + "to_q.bias", top),
                    ParamPart.whole(a + "to_k.bias", top), ParamPart.whole(a + "to_v.bias", top))));
            linear(ps, a + "to_out.0", top, top);
        }
        resnet(ps, "decoder.mid_block.resnets.1", top, top);
        int in = top;
        for (int i = 0; i < widths.length; i++) {
            int out = widths[i];
            for (int j = 0; j <= c.layersPerBlock(); j++) {
                resnet(ps, "decoder.up_blocks." + i + ".resnets." + j, j == 0 ? in : out, out);
            }
            if (i < widths.length - 1) {
                conv(ps, "decoder.up_blocks." + i + ".upsamplers.0.conv", out, out, 3);
            }
            in = out;
        }
        norm(ps, "decoder.conv_norm_out", widths[widths.length - 1]);
        conv(ps, "decoder.conv_out", widths[widths.length - 1], c.outChannels(), 3);
        return ps;
    }

    static int[] reversed(int[] a) {
        int[] r = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[a.length - 1 - i];
        }
        return r;
    }

    static void resnet(List<ModelParam> ps, String name, int in, int out) {
        norm(ps, name + ".norm1", in);
        conv(ps, name + ".conv1", in, out, 3);
        norm(ps, name + ".norm2", out);
        conv(ps, name + ".conv2", out, out, 3);
        if (in != out) {
            conv(ps, name + ".conv_shortcut", in, out, 1);
        }
    }

    static void conv(List<ModelParam> ps, String name, int in, int out, int k) {
        ps.add(whole(name + ".weight", out, in, k, k));
        ps.add(whole(name + ".bias", out));
    }

    static void norm(List<ModelParam> ps, String name, int c) {
        ps.add(whole(name + ".weight", c));
        ps.add(whole(name + ".bias", c));
    }

    static void linear(List<ModelParam> ps, String name, int in, int out) {
        ps.add(whole(name + ".weight", out, in));
        ps.add(whole(name + ".bias", out));
    }

    static ModelParam whole(String key, long... shape) {
        return new ModelParam(key, shape, List.of(ParamPart.whole(key, shape)));
    }

    public static long weightBytes(VaeConfig c, DType dtype) {
        long total = 0;
        for (ModelParam mp : params(c)) {
            long n = 1;
            for (long x : mp.shape()) {
                n *= x;
            }
            total += Arena.alignUp(n * dtype.bytes());
        }
        return total;
    }

    /**
     * Checks every decoder key at once (the encoder's keys, which decoding does not use, may be present), then loads
     * into {@code weights} as {@code dtype}, convolution weights permuted to {@code [Cout, kh, kw, Cin]}.
     */
    public static VaeDecoder load(TensorSource src, VaeConfig config, Ops ops, Arena weights, DType dtype) {
        List<ModelParam> params = validate(src, config);
        List<ModelParam> plain = new ArrayList<>();
        Map<String, Tensor> loaded = new LinkedHashMap<>();
        for (ModelParam mp : params) {
            if (mp.shape().length == 4) {
                loaded.put(mp.name(), convWeight(src, mp, ops, weights, dtype));
            } else {
                plain.add(mp);
            }
        }
        loaded.putAll(ParamLoader.load(src, plain, ops, weights, dtype));
        return new VaeDecoder(config, loaded);
    }

    /** Throws {@code CheckpointMismatchException} listing every bad decoder key; returns the parameters to load. */
    public static List<ModelParam> validate(TensorSource src, VaeConfig config) {
        List<ModelParam> params = params(config);
        ParamLoader.validate(src, "diffusers AutoencoderKL", params,
                k -> k.startsWith("encoder.") || k.startsWith("quant_conv."));
        return params;
    }

    private static Tensor convWeight(TensorSource src, ModelParam mp, Ops ops, Arena weights, DType dtype) {
        long[] s = mp.shape(); // [Cout, Cin, kh, kw]
        int co = (int) s[0], ci = (int) s[1], kh = (int) s[2], kw = (int) s[3];
        float[] oihw = HostFloats.of(src, mp.name());
        float[] ohwi = new float[oihw.length];
        for (int o = 0; o < co; o++) {
            for (int i = 0; i < ci; i++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        ohwi[((o * kh + y) * kw + x) * ci + i] = oihw[((o * ci + i) * kh + y) * kw + x];
                    }
                }
            }
        }
        Tensor t = weights.allocate(dtype, co, kh, kw, ci);
        ops.copyFromHost(t, HostBuffers.floats(ohwi), DType.F32);
        return t;
    }

    /**
     * A decoder of this config with seeded random weights made on the device (benchmarks); see {@link #randomFills}.
     * Convolution weights are held (and filled) channels-last, {@code [Cout, kh, kw, Cin]}.
     */
    public static VaeDecoder random(VaeConfig config, Ops ops, Arena weights, DType dtype, long seed) {
        Map<String, Tensor> p = new LinkedHashMap<>();
        for (RandomFill f : randomFills(config, seed)) {
            long[] s = f.param().shape();
            Tensor t = s.length == 4 ? weights.allocate(dtype, s[0], s[2], s[3], s[1]) : weights.allocate(dtype, s);
            f.fill(ops, t);
            p.put(f.param().name(), t);
        }
        return new VaeDecoder(config, p);
    }

    /**
     * The values of {@link #random}, parameter {@code i} seeded {@code seed + i}; see {@link #randomFill}. Shapes are
     * the checkpoint's ({@code [Cout, Cin, kh, kw]} for convolutions); the fills run over the held layout.
     */
    public static List<RandomFill> randomFills(VaeConfig config, long seed) {
        List<RandomFill> fills = new ArrayList<>();
        long i = 0;
        for (ModelParam mp : params(config)) {
            fills.add(randomFill(mp, seed + i));
            i++;
        }
        return fills;
    }

    /**
     * The rule of {@link #randomFills} for one parameter: GroupNorm weights 1 +- 0.1, convolution and linear weights
     * uniform in +-1/sqrt(fan_in) (fan_in = Cin x kh x kw), biases +-0.01.
     */
    public static RandomFill randomFill(ModelParam mp, long seed) {
        long[] s = mp.shape();
        long fanIn = s.length == 4 ? s[1] * s[2] * s[3] : s.length == 2 ? s[1] : 1;
        if (mp.name().endsWith(".weight") && s.length == 1) {
            return new RandomFill(mp, seed, 1f, 0.1f);
        } else if (s.length > 1) {
            return new RandomFill(mp, seed, 0f, (float) (1.0 / Math.sqrt(fanIn)));
        }
        return new RandomFill(mp, seed, 0f, 0.01f);
    }

    /** The largest activation (elements) a decode of a {@code latentH x latentW} latent holds. */
    static long largestActivation(VaeConfig c, long latentH, long latentW) {
        int[] widths = reversed(c.blockOutChannels());
        long pixels = latentH * latentW;
        long largest = pixels * Math.max(widths[0], c.latentChannels());
        for (int i = 0; i < widths.length; i++) {
            largest = Math.max(largest, pixels * widths[i]);
            if (i < widths.length - 1) {
                pixels *= 4;
                largest = Math.max(largest, pixels * widths[i]); // the upsampled input of the up block's conv
            }
        }
        if (c.midBlockAttention()) {
            largest = Math.max(largest, 3L * latentH * latentW * widths[0]); // the fused q/k/v
        }
        return largest;
    }

    /**
     * Room a backend's convolution may take from scratch for its workspace while a decode's buffers are held (the CUDA
     * backend's cuDNN calls take up to 256 MiB; the CPU takes none, and the figure is small beside the buffers).
     */
    static final long CONV_WORKSPACE_BYTES = 256L << 20;

    /**
     * Scratch a decode of a {@code latentH x latentW} latent takes: four activation buffers, a convolution's
     * workspace, and room for alignment.
     */
    public static long scratchBytes(VaeConfig c, long latentH, long latentW, DType dtype) {
        return 4 * Arena.alignUp(largestActivation(c, latentH, latentW) * dtype.bytes()) + CONV_WORKSPACE_BYTES
                + (4L << 20);
    }

    /**
     * Decodes one latent.
     *
     * <pre>
     *   z    [h, w, latentChannels]         channels-last, already {@code latents / scaling + shift}
     *   out  [h * upscale, w * upscale, outChannels]   the image in about [-1, 1]
     * </pre>
     */
    public void forward(Ops ops, Tensor out, Tensor z) {
        long h = z.dim(0);
        long w = z.dim(1);
        int up = config.upscale();
        if (z.rank() != 3 || z.dim(2) != config.latentChannels() || out.rank() != 3 || out.dim(0) != h * up
                || out.dim(1) != w * up || out.dim(2) != config.outChannels()) {
            throw new IllegalArgumentException("vae decode: z " + z + " must be [h, w, " + config.latentChannels()
                    + "] and out " + out + " [" + h * up + ", " + w * up + ", " + config.outChannels() + "]");
        }
        Arena scratch = ops.scratch();
        long mark = scratch.mark();
        DType dt = out.dtype();
        long n = largestActivation(config, h, w);
        Buffers b = new Buffers(scratch.allocate(dt, n), scratch.allocate(dt, n), scratch.allocate(dt, n),
                scratch.allocate(dt, n));
        int[] widths = reversed(config.blockOutChannels());
        Tensor x = b.a(h, w, widths[0]);
        conv(ops, "decoder.conv_in", x, z, 1);
        x = resnet(ops, "decoder.mid_block.resnets.0", x, b);
        if (config.midBlockAttention()) {
            x = attention(ops, "decoder.mid_block.attentions.0.", x, b);
        }
        x = resnet(ops, "decoder.mid_block.resnets.1", x, b);
        for (int i = 0; i < widths.length; i++) {
            for (int j = 0; j <= config.layersPerBlock(); j++) {
                x = resnet(ops, "decoder.up_blocks." + i + ".resnets." + j, x, b, widths[i]);
            }
            if (i < widths.length - 1) {
                Tensor big = b.t1(2 * x.dim(0), 2 * x.dim(1), x.dim(2));
                ops.upsampleNearest2x(big, x);
                Tensor y = b.other(x, big.dim(0), big.dim(1), x.dim(2));
                conv(ops, "decoder.up_blocks." + i + ".upsamplers.0.conv", y, big, 1);
                x = y;
            }
        }
        Tensor normed = b.t1(x.dim(0), x.dim(1), x.dim(2));
        groupNorm(ops, "decoder.conv_norm_out", normed, x, Activation.SILU);
        conv(ops, "decoder.conv_out", out, normed, 1);
        scratch.reset(mark);
    }

    /** A ResNet block keeping the width. */
    private Tensor resnet(Ops ops, String name, Tensor x, Buffers b) {
        return resnet(ops, name, x, b, (int) x.dim(2));
    }

    private Tensor resnet(Ops ops, String name, Tensor x, Buffers b, int width) {
        long hh = x.dim(0);
        long ww = x.dim(1);
        Tensor t1 = b.t1(hh, ww, x.dim(2));
        groupNorm(ops, name + ".norm1", t1, x, Activation.SILU);
        Tensor t2 = b.t2(hh, ww, width);
        conv(ops, name + ".conv1", t2, t1, 1);
        Tensor t1b = b.t1(hh, ww, width);
        groupNorm(ops, name + ".norm2", t1b, t2, Activation.SILU);
        Tensor y = b.other(x, hh, ww, width);
        conv(ops, name + ".conv2", y, t1b, 1);
        Tensor shortcut = x;
        if (x.dim(2) != width) {
            shortcut = b.t2(hh, ww, width);
            conv(ops, name + ".conv_shortcut", shortcut, x, 0);
        }
        ops.add(y, y, shortcut);
        return y;
    }

    /** The mid block's one-head attention over every pixel, with its residual. */
    private Tensor attention(Ops ops, String prefix, Tensor x, Buffers b) {
        long hh = x.dim(0);
        long ww = x.dim(1);
        long c = x.dim(2);
        long pixels = hh * ww;
        Tensor flat = x.view(pixels, c);
        Tensor normed = b.t1(hh, ww, c).view(pixels, c);
        groupNorm(ops, prefix + "group_norm", normed, flat, Activation.NONE);
        Tensor qkv = b.t2(pixels, 3, c).view(pixels, 3 * c);
        ops.linear(qkv, normed, p.get(prefix + "qkv.weight"), p.get(prefix + "qkv.bias"), Activation.NONE);
        Tensor attn = b.t1(hh, ww, c).view(pixels, c);
        ops.attention(attn, null, HeadViews.of(qkv, 0, 1, c), HeadViews.of(qkv, c, 1, c), HeadViews.of(qkv, 2 * c, 1, c),
                (float) (1.0 / Math.sqrt(c)));
        Tensor y = b.other(x, hh, ww, c);
        ops.linear(y.view(pixels, c), attn, p.get(prefix + "to_out.0.weight"), p.get(prefix + "to_out.0.bias"),
                Activation.NONE);
        ops.add(y, y, x);
        return y;
    }

    private void conv(Ops ops, String name, Tensor out, Tensor x, int pad) {
        ops.conv2d(out, x, p.get(name + ".weight"), p.get(name + ".bias"), pad);
    }

    private void groupNorm(Ops ops, String name, Tensor out, Tensor x, Activation act) {
        long c = x.dim(x.rank() - 1);
        long pixels = x.numel() / c;
        ops.groupNorm(out.view(pixels, c), x.view(pixels, c), p.get(name + ".weight"), p.get(name + ".bias"),
                config.normGroups(), VaeConfig.NORM_EPS, act);
    }

    /**
     * The four activation buffers: a layer reads its input from one of the two "stream" buffers and writes its
     * output to the other; t1 and t2 hold temporaries. Views are prefixes of the flat buffers.
     */
    private record Buffers(Tensor bufA, Tensor bufB, Tensor bufT1, Tensor bufT2) {
        Tensor a(long... shape) {
            return prefix(bufA, shape);
        }

        Tensor t1(long... shape) {
            return prefix(bufT1, shape);
        }

        Tensor t2(long... shape) {
            return prefix(bufT2, shape);
        }

        /** The stream buffer that {@code x} is not in. */
        Tensor other(Tensor x, long... shape) {
            return prefix(x.address() == bufA.address() ? bufB : bufA, shape);
        }

        private static Tensor prefix(Tensor flat, long... shape) {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n > flat.numel()) {
                throw new IllegalStateException("VAE activation " + java.util.Arrays.toString(shape)
                        + " exceeds its buffer of " + flat.numel() + " elements");
            }
            return new Tensor(flat.address(), flat.device(), flat.dtype(), shape);
        }
    }
}
