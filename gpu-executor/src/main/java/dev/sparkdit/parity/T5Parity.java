package dev.sparkdit.parity;

import dev.sparkdit.backend.Backends;
import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.models.ConfigJson;
import dev.sparkdit.models.SafetensorsCheckpoint;
import dev.sparkdit.models.t5.T5Config;
import dev.sparkdit.models.t5.T5Encoder;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.safetensors.SafetensorsFile;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.HostBuffers;
import dev.sparkdit.tensor.Tensor;

import java.io.IOException;
import java.util.List;

/** A T5 encoder case ({@code t5_tiny}): input_ids [1, S] through the encoder, compared with last_hidden_state. */
public final class T5Parity {
    private T5Parity() {
    }

    public static boolean isCase(ParityCase c) {
        return "t5".equals(c.config().get("model_type"));
    }

    public static List<ParityResult> run(ParityCase c, ParityOptions opt) throws IOException {
        T5Config cfg = T5Config.fromTransformers(new ConfigJson(c.dir().resolve("config.json").toString(), c.config()));
        int[] ids;
        float[] expected;
        try (SafetensorsFile io = SafetensorsFile.open(c.io())) {
            ids = CaseTensors.ints(io, "input_ids");
            expected = CaseTensors.floats(io, "last_hidden_state");
        }
        DType dt = opt.dtype();
        int s = ids.length;
        long scratch = T5Encoder.scratchBytes(cfg, s, dt);
        float[] actual;
        try (ComputeBackend backend = Backends.create(opt.run(), 0, scratch);
             SafetensorsCheckpoint weights = SafetensorsCheckpoint.open(c.requireWeights())) {
            Ops ops = backend.ops();
            T5Encoder model = T5Encoder.load(weights, cfg, ops, backend.reserve("t5 weights",
                    T5Encoder.weightBytes(cfg, dt)), dt);
            Arena io = backend.reserve("t5 io", T5Encoder.positionBiasBytes(cfg, s) + 4L * s + (long) s * cfg.dModel() * 4
                    + 16 * Arena.ALIGNMENT);
            Tensor bias = model.positionBias(ops, io, s);
            Tensor idt = io.allocate(DType.I32, s);
            ops.copyFromHost(idt, HostBuffers.ints(ids), DType.I32);
            Tensor out = io.allocate(dt, s, cfg.dModel());
            model.forward(ops, out, idt, bias);
            ops.synchronize();
            actual = ops.toFloatArray(out);
        }
        return List.of(new ParityResult(c.name(), "last_hidden_state", opt.backend(), dt.name().toLowerCase(),
                "1", ErrorStats.of(actual, expected), opt.effectiveTolerance()));
    }
}
