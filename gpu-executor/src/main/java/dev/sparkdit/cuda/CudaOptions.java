package dev.sparkdit.cuda;

import dev.sparkdit.config.Setting;
import dev.sparkdit.config.Settings;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the CUDA backend runs its kernels (part of the run options, docs/options.md). The defaults are the
 * measured best on H200s; the others exist for A/B runs.
 *
 * @param attentionVariant  the bf16 attention kernel for head dim 128: {@code v11} (Hopper, warp-specialised
 *                          wgmma; elsewhere v2), {@code v2} (mma.sync, double-buffered), {@code v1} (mma.sync,
 *                          the simplest); other head dims and fp32 always run v1 / the fp32 kernel
 * @param attentionSplitTail v11 cuts the last, partial wave of tiles along the keys and merges the parts
 * @param sideStream        the double blocks' text chain runs on a second stream beside the image chain
 * @param gemmTune          time cuBLASLt's heuristic candidates on the first call of each GEMM shape
 * @param gemmCandidates    how many candidates are timed (1-64)
 * @param gemmTuneReps      launches timed per candidate (1-1000); 5 measured as enough (benchmarks-log.md)
 * @param fp8FastAccum      FP8 GEMMs accumulate in the tensor cores' fast mode: on one H200 a FLUX.1-dev step
 *                          took 87.0 ms with it and 93.8 without, with the same error against bf16 (3.5e-3)
 */
public record CudaOptions(String attentionVariant, boolean attentionSplitTail, boolean sideStream, boolean gemmTune,
                          int gemmCandidates, int gemmTuneReps, boolean fp8FastAccum) {

    /** The attention kernels there are ({@link Attention#VARIANTS}): the simplest, the default elsewhere, Hopper's. */
    public static final List<String> ATTENTION_VARIANTS = Attention.VARIANTS;

    public static final Setting<String> ATTENTION_VARIANT = new Setting<>("sparkdit.attention.variant",
            Attention.DEFAULT_VARIANT,
            Settings.oneOf(ATTENTION_VARIANTS), "bf16 attention kernel for head dim 128 (v11 needs sm_90a, else v2 runs)");
    public static final Setting<Boolean> ATTENTION_SPLIT_TAIL = new Setting<>("sparkdit.attention.split-tail", true,
            Settings.onOff(), "v11 splits the last partial wave of query tiles along the keys");
    public static final Setting<Boolean> SIDE_STREAM = new Setting<>("sparkdit.cuda.side-stream", true,
            Settings.onOff(), "double blocks run the text chain on a second CUDA stream");
    public static final Setting<Boolean> GEMM_TUNE = new Setting<>("sparkdit.gemm.tune", true, Settings.onOff(),
            "time cuBLASLt's candidate algorithms on each GEMM shape's first call; off: the heuristic's first");
    public static final Setting<Integer> GEMM_CANDIDATES = new Setting<>("sparkdit.gemm.candidates", 8,
            Settings.intIn(1, 64), "cuBLASLt heuristic candidates timed per GEMM shape");
    public static final Setting<Integer> GEMM_TUNE_REPS = new Setting<>("sparkdit.gemm.tune-reps", 5,
            Settings.intIn(1, 1000), "launches timed per candidate");
    public static final Setting<Boolean> FP8_FAST_ACCUM = new Setting<>("sparkdit.gemm.fp8-fast-accum", true,
            Settings.onOff(), "FP8 GEMMs accumulate in the tensor cores' fast mode");

    public static final List<Setting<?>> SETTINGS = List.of(ATTENTION_VARIANT, ATTENTION_SPLIT_TAIL, SIDE_STREAM,
            GEMM_TUNE, GEMM_CANDIDATES, GEMM_TUNE_REPS, FP8_FAST_ACCUM);

    public static final CudaOptions DEFAULTS = from(Map.of());

    public CudaOptions {
        ATTENTION_VARIANT.parser().apply(attentionVariant);
        GEMM_CANDIDATES.parser().apply(Integer.toString(gemmCandidates));
        GEMM_TUNE_REPS.parser().apply(Integer.toString(gemmTuneReps));
    }

    public static CudaOptions from(Map<String, String> conf) {
        return new CudaOptions(ATTENTION_VARIANT.read(conf), ATTENTION_SPLIT_TAIL.read(conf), SIDE_STREAM.read(conf),
                GEMM_TUNE.read(conf), GEMM_CANDIDATES.read(conf), GEMM_TUNE_REPS.read(conf), FP8_FAST_ACCUM.read(conf));
    }

    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(ATTENTION_VARIANT.key(), attentionVariant);
        m.put(ATTENTION_SPLIT_TAIL.key(), ATTENTION_SPLIT_TAIL.format(attentionSplitTail));
        m.put(SIDE_STREAM.key(), SIDE_STREAM.format(sideStream));
        m.put(GEMM_TUNE.key(), GEMM_TUNE.format(gemmTune));
        m.put(GEMM_CANDIDATES.key(), GEMM_CANDIDATES.format(gemmCandidates));
        m.put(GEMM_TUNE_REPS.key(), GEMM_TUNE_REPS.format(gemmTuneReps));
        m.put(FP8_FAST_ACCUM.key(), FP8_FAST_ACCUM.format(fp8FastAccum));
        return m;
    }

    public CudaOptions withAttentionVariant(String variant) {
        return new CudaOptions(variant, attentionSplitTail, sideStream, gemmTune, gemmCandidates, gemmTuneReps,
                fp8FastAccum);
    }
}
