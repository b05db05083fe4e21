package dev.sparkdit.parity;

import dev.sparkdit.backend.Backends;
import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.models.ConfigJson;
import dev.sparkdit.models.SafetensorsCheckpoint;
import dev.sparkdit.models.clip.ClipTextConfig;
import dev.sparkdit.models.clip.ClipTextEncoder;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.safetensors.SafetensorsFile;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.HostBuffers;
import dev.sparkdit.tensor.Tensor;

import java.io.IOException;
import java.util.List;

/** A CLIP text encoder case ({@code clip_tiny}): last_hidden_state and pooler_output. */
public final class ClipParity {
    private ClipParity() {
    }

    public static boolean isCase(ParityCase c) {
        return "clip_text_model".equals(c.config().get("model_type"));
    }

    public static List<ParityResult> run(ParityCase c, ParityOptions opt) throws IOException {
        ClipTextConfig cfg = ClipTextConfig.fromTransformers(new ConfigJson(c.dir().resolve("config.json").toString(),
                c.config()));
        int[] ids;
        float[] expectedHidden;
        float[] expectedPooled;
        try (SafetensorsFile io = SafetensorsFile.open(c.io())) {
            ids = CaseTensors.ints(io, "input_ids");
            expectedHidden = CaseTensors.floats(io, "last_hidden_state");
            expectedPooled = CaseTensors.floats(io, "pooler_output");
        }
        DType dt = opt.dtype();
        int s = ids.length;
        float[] hidden;
        float[] pooled;
        try (ComputeBackend backend = Backends.create(opt.run(), 0, ClipTextEncoder.scratchBytes(cfg, s, dt));
             SafetensorsCheckpoint weights = SafetensorsCheckpoint.open(c.requireWeights())) {
            Ops ops = backend.ops();
            ClipTextEncoder model = ClipTextEncoder.load(weights, cfg, ops, backend.reserve("clip weights",
                    ClipTextEncoder.weightBytes(cfg, dt)), dt);
            Arena io = backend.reserve("clip io", 4L * s + (s + 1L) * cfg.hiddenSize() * 4 + 8 * Arena.ALIGNMENT);
            Tensor idt = io.allocate(DType.I32, s);
            ops.copyFromHost(idt, HostBuffers.ints(ids), DType.I32);
            Tensor out = io.allocate(dt, s, cfg.hiddenSize());
            Tensor pool = io.allocate(dt, cfg.hiddenSize());
            model.forward(ops, out, pool, idt, model.poolingIndex(ids));
            ops.synchronize();
            hidden = ops.toFloatArray(out);
            pooled = ops.toFloatArray(pool);
        }
        String d = dt.name().toLowerCase();
        return List.of(
                new ParityResult(c.name(), "last_hidden_state", opt.backend(), d, "1", ErrorStats.of(hidden, expectedHidden),
                        opt.effectiveTolerance()),
                new ParityResult(c.name(), "pooler_output", opt.backend(), d, "1", ErrorStats.of(pooled, expectedPooled),
                        opt.effectiveTolerance()));
    }
}
