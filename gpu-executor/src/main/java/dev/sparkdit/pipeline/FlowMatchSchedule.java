package dev.sparkdit.pipeline;

import java.util.Arrays;
import java.util.Objects;

/**
 * The noise levels of one FLUX.1 text-to-image run: what diffusers' {@code FluxPipeline} gets from
 * {@code FlowMatchEulerDiscreteScheduler.set_timesteps(sigmas=linspace(1, 1/steps, steps), mu=mu)},
 * and the Euler step that walks them.
 *
 * <pre>
 * sigmas    [steps + 1]  float32, from 1 (pure noise) falling to sigmas[steps] = 0 (the image)
 * timesteps [steps]      float32, sigmas[i] * num_train_timesteps
 * </pre>
 *
 * <p>The transformer is given {@code timesteps[i] / 1000} ({@link #transformerTimestep}), computed as
 * FluxPipeline does: a second float32 rounding, so not always bit-equal to {@code sigmas[i]}.
 *
 * <p>Step {@code i} (0-based) takes the latent {@code x} at {@code sigmas[i]} and the transformer's
 * velocity {@code v} there to {@code x_next = x + (sigmas[i + 1] - sigmas[i]) * v}, all in float32
 * ({@link #eulerStep}).
 *
 * <p>Precision follows the reference exactly, because a schedule that differs in its last bit moves
 * every later step: {@code linspace} and {@code mu} are float64 (numpy, Python floats); the sigmas are
 * cast to float32 before shifting ({@code np.array(sigmas).astype(np.float32)}); the shift runs in
 * float32 numpy arithmetic with its Python-float constants ({@code exp(mu)}, {@code shift}) rounded to
 * float32 (numpy keeps a float32 array float32 against a Python scalar); timesteps are a float32 torch
 * product.
 */
public record FlowMatchSchedule(float[] sigmas, float[] timesteps) {

    public FlowMatchSchedule {
        Objects.requireNonNull(sigmas, "sigmas");
        Objects.requireNonNull(timesteps, "timesteps");
        if (timesteps.length == 0 || sigmas.length != timesteps.length + 1) {
            throw new IllegalArgumentException("a schedule of " + timesteps.length + " timesteps needs "
                    + (timesteps.length + 1) + " sigmas (the last one 0), got " + sigmas.length);
        }
        sigmas = sigmas.clone();
        timesteps = timesteps.clone();
    }

    /**
     * The schedule for {@code steps} denoising steps of an image of {@code imageSeqLen} packed latent
     * tokens ((height / 16) x (width / 16)); {@code imageSeqLen} only matters with dynamic shifting.
     */
    public static FlowMatchSchedule of(FlowMatchSchedulerConfig config, int steps, int imageSeqLen) {
        Objects.requireNonNull(config, "config");
        if (steps <= 0) {
            throw new IllegalArgumentException("steps must be > 0, got " + steps);
        }
        if (imageSeqLen <= 0) {
            throw new IllegalArgumentException("imageSeqLen must be > 0 tokens, got " + imageSeqLen);
        }
        double[] linear = numpyLinspace(1.0, 1.0 / steps, steps);
        float exponentialMu = (float) StrictMath.exp(config.mu(imageSeqLen));
        float shift = (float) config.shift();
        float shiftMinusOne = (float) (config.shift() - 1.0); // Python computes shift - 1 in double
        float trainSteps = config.numTrainTimesteps();
        float[] sigmas = new float[steps + 1];
        float[] timesteps = new float[steps];
        for (int i = 0; i < steps; i++) {
            float t = (float) linear[i];
            float s;
            if (config.useDynamicShifting()) {
                // time_shift(mu, 1.0, t) = e^mu / (e^mu + (1/t - 1)^1.0); x^1.0 is exactly x.
                s = exponentialMu / (exponentialMu + (1f / t - 1f));
            } else {
                s = shift * t / (1f + shiftMinusOne * t);
            }
            sigmas[i] = s;
            timesteps[i] = s * trainSteps;
        }
        sigmas[steps] = 0f;
        return new FlowMatchSchedule(sigmas, timesteps);
    }

    /**
     * numpy's {@code linspace(start, stop, num)} bit for bit: {@code start + i * ((stop - start) / (num - 1))}
     * in float64, with the last element set to {@code stop} exactly.
     */
    static double[] numpyLinspace(double start, double stop, int num) {
        double[] y = new double[num];
        if (num == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            // numpy special-cases step == 0 (denormal spans) as i / div * delta; it is 0 either way here.
            y[i] = i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }

    /** Denoising steps in this schedule. */
    public int steps() {
        return timesteps.length;
    }

    @Override
    public float[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public float[] timesteps() {
        return timesteps.clone();
    }

    /** {@code sigmas[i]}, the noise level the latent is at before step {@code i}. */
    public float sigma(int i) {
        return sigmas[i];
    }

    /** {@code timesteps[i]} (= sigma x num_train_timesteps). */
    public float timestep(int i) {
        return timesteps[i];
    }

    /**
     * The timestep input of the transformer at step {@code i}: {@code timesteps[i] / 1000} in float32,
     * as FluxPipeline computes {@code timestep / 1000} for float32 latents. (With bfloat16 latents the
     * reference first rounds {@code timesteps[i]} to bfloat16 and divides in bfloat16.)
     */
    public float transformerTimestep(int i) {
        return timesteps[i] / 1000f;
    }

    /**
     * Euler step {@code step} in place: {@code x[j] += (sigmas[step + 1] - sigmas[step]) * v[j]} for
     * {@code j} in {@code [0, x.length)}, in float32 with the product rounded before the sum, as
     * diffusers' {@code FlowMatchEulerDiscreteScheduler.step} computes {@code sample + dt * model_output}
     * (two separate torch ops) for float32 latents.
     */
    public void eulerStep(int step, float[] x, float[] v) {
        if (step < 0 || step >= steps()) {
            throw new IndexOutOfBoundsException("step " + step + " of a " + steps() + "-step schedule");
        }
        if (x.length != v.length) {
            throw new IllegalArgumentException("latent has " + x.length + " values, velocity " + v.length);
        }
        float dt = sigmas[step + 1] - sigmas[step];
        for (int j = 0; j < x.length; j++) {
            float dx = dt * v[j];
            x[j] = x[j] + dx;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlowMatchSchedule s && Arrays.equals(s.sigmas, sigmas)
                && Arrays.equals(s.timesteps, timesteps);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(sigmas) + Arrays.hashCode(timesteps);
    }

    @Override
    public String toString() {
        return "FlowMatchSchedule[" + steps() + " steps, sigmas " + Arrays.toString(sigmas) + "]";
    }
}
