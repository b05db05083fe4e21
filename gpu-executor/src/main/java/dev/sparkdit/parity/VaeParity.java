package dev.sparkdit.parity;

import dev.sparkdit.backend.Backends;
import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.models.ConfigJson;
import dev.sparkdit.models.SafetensorsCheckpoint;
import dev.sparkdit.models.vae.VaeConfig;
import dev.sparkdit.models.vae.VaeDecoder;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.safetensors.SafetensorsFile;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.HostBuffers;
import dev.sparkdit.tensor.Tensor;

import java.io.IOException;
import java.util.List;

/** A VAE decoder case ({@code vae_tiny}): latents [1, C, h, w] (already scaled) decoded, compared with output. */
public final class VaeParity {
    private VaeParity() {
    }

    public static boolean isCase(ParityCase c) {
        return c.config().containsKey("latent_channels") && c.config().containsKey("up_block_types");
    }

    public static List<ParityResult> run(ParityCase c, ParityOptions opt) throws IOException {
        VaeConfig cfg = VaeConfig.fromDiffusers(new ConfigJson(c.dir().resolve("config.json").toString(), c.config()));
        float[] latents;
        float[] expected;
        long[] ls;
        try (SafetensorsFile io = SafetensorsFile.open(c.io())) {
            ls = CaseTensors.shape(io, "latents");
            latents = CaseTensors.floats(io, "latents");
            expected = CaseTensors.floats(io, "output");
        }
        int ch = (int) ls[1], h = (int) ls[2], w = (int) ls[3];
        int up = cfg.upscale();
        DType dt = opt.dtype();
        float[] image;
        try (ComputeBackend backend = Backends.create(opt.run(), 0, VaeDecoder.scratchBytes(cfg, h, w, dt));
             SafetensorsCheckpoint weights = SafetensorsCheckpoint.open(c.requireWeights())) {
            Ops ops = backend.ops();
            VaeDecoder model = VaeDecoder.load(weights, cfg, ops, backend.reserve("vae weights",
                    VaeDecoder.weightBytes(cfg, dt)), dt);
            Arena io = backend.reserve("vae io", 4L * h * w * ch + 4L * h * w * up * up * cfg.outChannels()
                    + 4 * Arena.ALIGNMENT);
            Tensor z = io.allocate(dt, h, w, ch);
            ops.copyFromHost(z, HostBuffers.floats(CaseTensors.toChannelsLast(latents, ch, h, w)), DType.F32);
            Tensor out = io.allocate(dt, (long) h * up, (long) w * up, cfg.outChannels());
            model.forward(ops, out, z);
            ops.synchronize();
            image = CaseTensors.toChannelsFirst(ops.toFloatArray(out), h * up, w * up, cfg.outChannels());
        }
        return List.of(new ParityResult(c.name(), "output", opt.backend(), dt.name().toLowerCase(), "1",
                ErrorStats.of(image, expected), opt.effectiveTolerance()));
    }
}
