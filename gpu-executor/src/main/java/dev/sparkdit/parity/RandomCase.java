package dev.sparkdit.parity;

import dev.sparkdit.json.Json;
import dev.sparkdit.models.ModelParam;
import dev.sparkdit.models.ParamPart;
import dev.sparkdit.models.flux.FluxCheckpointLayout;
import dev.sparkdit.models.flux.FluxConfig;
import dev.sparkdit.safetensors.HostTensor;
import dev.sparkdit.safetensors.SafetensorsWriter;
import dev.sparkdit.tensor.DType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a case folder in the golden layout for a FLUX config of any size: seeded random weights
 * (PyTorch Linear's uniform(+-1/sqrt(in)) init), random inputs, and the expected output computed by
 * the CPU backend in fp32. This is how GPU tests compare CUDA against the CPU backend on configs larger
 * than the golden ones, on a GPU machine that has no libtorch: the cases are made here and carried.
 */
public final class RandomCase {
    private RandomCase() {
    }

    public static ParityCase write(Path dir, FluxConfig cfg, int gridH, int gridW, int txt, long seed) throws IOException {
        return write(dir, cfg, gridH, gridW, txt, seed, DType.F32);
    }

    /**
     * @param weightDType F32, or BF16 to halve the file (values are rounded to bf16 first, so the fp32
     *                    reference computes with exactly the stored weights)
     */
    public static ParityCase write(Path dir, FluxConfig cfg, int gridH, int gridW, int txt, long seed,
                                   DType weightDType) throws IOException {
        if (weightDType != DType.F32 && weightDType != DType.BF16) {
            throw new IllegalArgumentException("weights are written as f32 or bf16, not " + weightDType);
        }
        if (gridH <= 0 || gridW <= 0 || txt <= 0) {
            throw new IllegalArgumentException("grid " + gridH + "x" + gridW + " and text length " + txt
                    + " must be positive");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot create the case folder " + dir + ": " + dev.sparkdit.io.IoMessages.describe(e), e);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, HostTensor> weights = new LinkedHashMap<>();
        for (ModelParam p : FluxCheckpointLayout.DIFFUSERS.params(cfg)) {
            for (ParamPart part : p.parts()) {
                long[] shape = part.keyShape();
                float[] v = new float[Math.toIntExact(numel(shape))];
                if (part.key().contains("norm_")) {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (1.0 + 0.1 * (2 * rng.nextDouble() - 1));
                    }
                } else {
                    long fanIn = part.key().endsWith(".bias") ? fanInOfBias(p, cfg) : shape[1];
                    double bound = 1.0 / Math.sqrt(fanIn);
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (bound * (2 * rng.nextDouble() - 1));
                    }
                }
                weights.put(part.key(), weightDType == DType.BF16 ? bf16(shape, v) : f32(shape, v));
            }
        }
        SafetensorsWriter.write(dir.resolve("weights.safetensors"), weights);

        int img = gridH * gridW;
        Map<String, HostTensor> io = new LinkedHashMap<>();
        io.put("hidden_states", f32(new long[] {1, img, cfg.inChannels()}, gaussian(rng, img * cfg.inChannels())));
        io.put("encoder_hidden_states", f32(new long[] {1, txt, cfg.jointAttentionDim()},
                gaussian(rng, txt * cfg.jointAttentionDim())));
        io.put("pooled_projections", f32(new long[] {1, cfg.pooledProjectionDim()},
                gaussian(rng, cfg.pooledProjectionDim())));
        io.put("timestep", f32(new long[] {1}, new float[] {(float) rng.nextDouble()}));
        if (cfg.guidanceEmbeds()) {
            io.put("guidance", f32(new long[] {1}, new float[] {3.5f}));
        }
        float[] imgIds = new float[img * 3];
        for (int h = 0; h < gridH; h++) {
            for (int w = 0; w < gridW; w++) {
                imgIds[(h * gridW + w) * 3 + 1] = h;
                imgIds[(h * gridW + w) * 3 + 2] = w;
            }
        }
        io.put("img_ids", f32(new long[] {img, 3}, imgIds));
        io.put("txt_ids", f32(new long[] {txt, 3}, new float[txt * 3]));
        SafetensorsWriter.write(dir.resolve("io.safetensors"), io);
        Files.writeString(dir.resolve("config.json"), Json.write(configJson(cfg, gridH, gridW, txt, seed)),
                StandardCharsets.UTF_8);

        ParityCase c = ParityCase.open(dir);
        float[] out = FluxParity.forward(c, ParityOptions.single("cpu", DType.F32));
        io.put("output", f32(new long[] {1, img, cfg.outChannels()}, out));
        SafetensorsWriter.write(dir.resolve("io.safetensors"), io);
        return c;
    }

    private static long fanInOfBias(ModelParam p, FluxConfig cfg) {
        String w = p.name().substring(0, p.name().length() - ".bias".length()) + ".weight";
        for (ModelParam q : FluxCheckpointLayout.DIFFUSERS.params(cfg)) {
            if (q.name().equals(w)) {
                return q.shape()[1];
            }
        }
        return cfg.dim();
    }

    private static Map<String, Object> configJson(FluxConfig c, int gridH, int gridW, int txt, long seed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("patch_size", 1L);
        m.put("in_channels", (long) c.inChannels());
        m.put("out_channels", (long) c.outChannels());
        m.put("num_layers", (long) c.numLayers());
        m.put("num_single_layers", (long) c.numSingleLayers());
        m.put("attention_head_dim", (long) c.attentionHeadDim());
        m.put("num_attention_heads", (long) c.numAttentionHeads());
        m.put("joint_attention_dim", (long) c.jointAttentionDim());
        m.put("pooled_projection_dim", (long) c.pooledProjectionDim());
        m.put("guidance_embeds", c.guidanceEmbeds());
        List<Object> axes = new ArrayList<>();
        for (int a : c.axesDimsRope()) {
            axes.add((long) a);
        }
        m.put("axes_dims_rope", axes);
        m.put("grid", List.of((long) gridH, (long) gridW));
        m.put("txt_len", (long) txt);
        m.put("seed", seed);
        m.put("reference", "SparkDiT CPU backend (libtorch), fp32 - not diffusers");
        return m;
    }

    private static float[] gaussian(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i += 2) {
            double u1 = Math.max(rng.nextDouble(), 1e-300);
            double u2 = rng.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1));
            v[i] = (float) (r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < n) {
                v[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
            }
        }
        return v;
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Round-to-nearest-even to bf16 (the upper 16 bits of the fp32 pattern). */
    private static HostTensor bf16(long[] shape, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            int bits = Float.floatToRawIntBits(f);
            int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
            b.putShort((short) (rounded >>> 16));
        }
        return HostTensor.of(DType.BF16, shape, b.array());
    }

    private static HostTensor f32(long[] shape, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return HostTensor.of(DType.F32, shape, b.array());
    }
}
