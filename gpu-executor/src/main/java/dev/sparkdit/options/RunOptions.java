package dev.sparkdit.options;

import dev.sparkdit.config.Setting;
import dev.sparkdit.config.Settings;
import dev.sparkdit.cuda.CudaOptions;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.usp.Fp8Communication;
import dev.sparkdit.usp.SequenceOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every setting of a run, built once (by the CLI from its flags and {@code --conf sparkdit.*=...}, by the
 * Spark job from {@code spark.sparkdit.*}) and handed down: nothing below reads a system property.
 * docs/options.md lists every key with its default; {@link #SETTINGS} is that list.
 *
 * @param backend           {@code auto} (CUDA where a GPU and its driver are found, else the CPU), {@code cpu},
 *                          {@code cuda}
 * @param dtype             weights and activations; null = the backend's default (bf16 on CUDA, f32 on the CPU)
 * @param fp8Communication  FP8 (e4m3) Ulysses all-to-all
 * @param fp8Gemm           the transformer blocks' linears on FP8 (e4m3) operands
 * @param collectiveTimeout how long a rank waits in a collective (or a rendezvous) before it fails the group
 * @param sequence          sequence-parallel switches
 * @param cuda              CUDA kernel switches
 */
public record RunOptions(String backend, DType dtype, boolean fp8Communication, boolean fp8Gemm,
                         Duration collectiveTimeout, SequenceOptions sequence, CudaOptions cuda) {

    public static final List<String> BACKENDS = List.of("auto", "cpu", "cuda");

    public static final Setting<String> BACKEND = new Setting<>("sparkdit.backend", "auto", Settings.oneOf(BACKENDS),
            "compute backend: auto (cuda where a GPU driver is found, else cpu), cpu (libtorch), cuda");
    public static final Setting<DType> DTYPE = new Setting<>("sparkdit.dtype", null, RunOptions::parseDtype,
            "weights and activations: f32 or bf16; unset: bf16 on cuda, f32 on cpu");
    public static final Setting<Boolean> FP8_COMM = new Setting<>("sparkdit.fp8.comm", false, Settings.onOff(),
            "FP8 (e4m3) Ulysses all-to-all (never faster on NVLink so far: docs/sequence-parallelism.md)");
    public static final Setting<Boolean> FP8_GEMM = new Setting<>("sparkdit.fp8.gemm", false, Settings.onOff(),
            "the transformer blocks' linears on FP8 (e4m3) weights and activations (bf16 only; docs/fp8-gemm.md)");
    public static final Setting<Integer> TIMEOUT_SECONDS = new Setting<>("sparkdit.collective.timeout-seconds", 300,
            Settings.intIn(1, 86_400), "seconds a rank waits in a collective or rendezvous before failing its group");

    /** Every key a run reads, in the order docs/options.md lists them. */
    public static final List<Setting<?>> SETTINGS;

    static {
        List<Setting<?>> all = new ArrayList<>(List.of(BACKEND, DTYPE, FP8_COMM, FP8_GEMM, TIMEOUT_SECONDS));
        all.addAll(SequenceOptions.SETTINGS);
        all.addAll(CudaOptions.SETTINGS);
        SETTINGS = Collections.unmodifiableList(all);
    }

    public static final RunOptions DEFAULTS = from(Map.of());

    public RunOptions {
        BACKEND.parser().apply(backend);
        if (dtype != null && dtype != DType.F32 && dtype != DType.BF16) {
            throw new IllegalArgumentException(DTYPE.key() + " must be f32 or bf16, got " + dtype);
        }
        if (collectiveTimeout == null || collectiveTimeout.isNegative() || collectiveTimeout.isZero()) {
            throw new IllegalArgumentException(TIMEOUT_SECONDS.key() + " must be positive, got " + collectiveTimeout);
        }
        if (sequence == null || cuda == null) {
            throw new IllegalArgumentException("sequence and cuda options must not be null");
        }
    }

    private static DType parseDtype(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "f32", "fp32", "float32" -> DType.F32;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new IllegalArgumentException("must be f32 or bf16");
        };
    }

    /**
     * The options in {@code conf} (keys {@code sparkdit.*}; other keys are ignored), defaults for the rest. An
     * unknown {@code sparkdit.*} key or a bad value throws naming the key and the value.
     */
    public static RunOptions from(Map<String, String> conf) {
        Settings.requireKnown(conf, SETTINGS);
        return new RunOptions(BACKEND.read(conf), DTYPE.read(conf), FP8_COMM.read(conf), FP8_GEMM.read(conf),
                Duration.ofSeconds(TIMEOUT_SECONDS.read(conf)), SequenceOptions.from(conf), CudaOptions.from(conf));
    }

    /** Every key with its value, so that {@code from(toMap())} gives these options back (child ranks, Spark conf). */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(BACKEND.key(), backend);
        if (dtype != null) {
            m.put(DTYPE.key(), dtype.name().toLowerCase(Locale.ROOT));
        }
        m.put(FP8_COMM.key(), FP8_COMM.format(fp8Communication));
        m.put(FP8_GEMM.key(), FP8_GEMM.format(fp8Gemm));
        m.put(TIMEOUT_SECONDS.key(), Long.toString(collectiveTimeout.toSeconds()));
        m.putAll(sequence.toMap());
        m.putAll(cuda.toMap());
        return m;
    }

    /** The dtype to run in on {@code backendName}: the one asked for, else bf16 on cuda and f32 on the CPU. */
    public DType dtypeOn(String backendName) {
        return dtype != null ? dtype : backendName.equals("cuda") ? DType.BF16 : DType.F32;
    }

    public Fp8Communication fp8() {
        return Fp8Communication.of(fp8Communication);
    }

    public RunOptions withBackend(String b) {
        return new RunOptions(b, dtype, fp8Communication, fp8Gemm, collectiveTimeout, sequence, cuda);
    }

    public RunOptions withDtype(DType d) {
        return new RunOptions(backend, d, fp8Communication, fp8Gemm, collectiveTimeout, sequence, cuda);
    }

    public RunOptions withFp8(boolean communication, boolean gemm) {
        return new RunOptions(backend, dtype, communication, gemm, collectiveTimeout, sequence, cuda);
    }

    public RunOptions withCollectiveTimeout(Duration t) {
        return new RunOptions(backend, dtype, fp8Communication, fp8Gemm, t, sequence, cuda);
    }
}
