package dev.sparkdit.job.group;

import dev.sparkdit.backend.Backends;
import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.options.RunOptions;
import dev.sparkdit.pipeline.FluxPipeline;
import dev.sparkdit.pipeline.PipelineSource;
import dev.sparkdit.pipeline.PipelineWeights;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The models loaded in this JVM (a Spark executor, or render-group), one per device slot: loaded by the first task
 * that needs them and kept for every later task and stage attempt of the same settings, so a retried group does
 * not reload FLUX.1-dev. A slot is a GPU (one task at a time uses it) or, on the CPU, a task index (tasks of one JVM
 * run side by side and each needs its own scratch). Weights for other settings replace the slot's.
 */
public final class ExecutorModels {
    /** A slot's backend and weights, and how long loading them took (reported once, by the task that loaded). */
    public record Loaded(ComputeBackend backend, PipelineWeights weights, double loadMs) {
    }

    private static final Map<Integer, Loaded> SLOTS = new HashMap<>();
    private static final Map<Integer, String> KEYS = new HashMap<>();

    private ExecutorModels() {
    }

    /**
     * The slot's weights for {@code settings}, loading them if the slot has none or another run's; {@code loadMs} is
     * 0 when they were already there.
     *
     * @param device the GPU the slot's backend uses (0 on the CPU)
     */
    public static Loaded get(JobSettings settings, int slot, int device) throws IOException {
        synchronized (SLOTS) {
            Loaded have = SLOTS.get(slot);
            if (have != null && settings.weightsKey().equals(KEYS.get(slot))) {
                return new Loaded(have.backend(), have.weights(), 0);
            }
            if (have != null) {
                SLOTS.remove(slot);
                KEYS.remove(slot);
                have.backend().close();
            }
            long t0 = System.nanoTime();
            RunOptions options = settings.runOptions();
            PipelineSource source = PipelineSource.of(settings.model());
            String backendName = Backends.choose(options.backend()).name();
            long scratch = FluxPipeline.scratchBytes(source.config(), settings.limits(), settings.plan(),
                    options.dtypeOn(backendName));
            ComputeBackend backend = Backends.create(options.withBackend(backendName), device, scratch);
            try {
                // Any rank may lead its group in a later task: every slot holds the text encoders and the VAE.
                PipelineWeights weights = PipelineWeights.load(backend, source, options.dtypeOn(backendName),
                        options.fp8Gemm(), settings.maxSequenceLength(), true, true);
                backend.ops().synchronize();
                Loaded loaded = new Loaded(backend, weights, (System.nanoTime() - t0) / 1e6);
                SLOTS.put(slot, loaded);
                KEYS.put(slot, settings.weightsKey());
                return loaded;
            } catch (IOException | RuntimeException | Error e) {
                backend.close();
                throw e;
            }
        }
    }

    /** Closes every slot (tests; a JVM that ends frees them anyway). */
    public static void closeAll() {
        synchronized (SLOTS) {
            for (Loaded l : SLOTS.values()) {
                l.backend().close();
            }
            SLOTS.clear();
            KEYS.clear();
        }
    }
}
