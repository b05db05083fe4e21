package dev.sparkdit.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkdit.safetensors.HostTensor;
import dev.sparkdit.safetensors.SafetensorsFile;
import dev.sparkdit.tensor.DType;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The schedule against diffusers' own sigmas and timesteps (golden/scheduler, see its README). */
class FlowMatchScheduleTest {
    private static final Pattern KEY = Pattern.compile("(dev|schnell)_steps(\\d+)(?:_seq(\\d+))?_sigmas");
    private static final double MAX_REL_L2 = 1e-6;

    static Path golden(String relative) {
        try {
            return Path.of(FlowMatchScheduleTest.class.getResource("/golden/" + relative).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void everyGoldenScheduleMatchesDiffusers() throws IOException {
        JsonNode configs = new ObjectMapper().readTree(golden("scheduler/config.json").toFile());
        FlowMatchSchedulerConfig dev = FlowMatchSchedulerConfig.fromJson(configs.get("dev"), "golden dev");
        FlowMatchSchedulerConfig schnell = FlowMatchSchedulerConfig.fromJson(configs.get("schnell"), "golden schnell");
        assertEquals(FlowMatchSchedulerConfig.dev(), dev);
        assertEquals(FlowMatchSchedulerConfig.schnell(), schnell);

        int cases = 0;
        double worstRel = 0;
        double worstAbs = 0;
        StringBuilder report = new StringBuilder();
        try (SafetensorsFile io = SafetensorsFile.open(golden("scheduler/io.safetensors"))) {
            for (String name : io.names()) {
                Matcher m = KEY.matcher(name);
                if (!m.matches()) {
                    continue;
                }
                boolean isDev = m.group(1).equals("dev");
                int steps = Integer.parseInt(m.group(2));
                // schnell ignores the sequence length (no dynamic shifting); any value will do.
                int seq = m.group(3) == null ? 4096 : Integer.parseInt(m.group(3));
                FlowMatchSchedule s = FlowMatchSchedule.of(isDev ? dev : schnell, steps, seq);
                String prefix = name.substring(0, name.length() - "sigmas".length());
                float[] refSigmas = floats(io.tensor(name));
                float[] refTimesteps = floats(io.tensor(prefix + "timesteps"));
                assertEquals(0f, refSigmas[steps], name + " ends at 0");
                for (Object[] pair : new Object[][] {{name, s.sigmas(), refSigmas},
                        {prefix + "timesteps", s.timesteps(), refTimesteps}}) {
                    float[] got = (float[]) pair[1];
                    float[] ref = (float[]) pair[2];
                    assertEquals(ref.length, got.length, pair[0] + " length");
                    double rel = relL2(got, ref);
                    double abs = maxAbs(got, ref);
                    report.append(String.format("%s rel %.3g abs %.3g%s%n", pair[0], rel, abs,
                            Arrays.equals(got, ref) ? " (bit-identical)" : ""));
                    assertTrue(rel <= MAX_REL_L2, pair[0] + ": rel L2 " + rel + "\n ours " + Arrays.toString(got)
                            + "\n ref  " + Arrays.toString(ref));
                    worstRel = Math.max(worstRel, rel);
                    worstAbs = Math.max(worstAbs, abs);
                }
                cases++;
            }
        }
        System.out.printf("FlowMatch schedule vs diffusers: %d cases, max rel L2 %.3g, max abs error %.3g%n%s",
                cases, worstRel, worstAbs, report);
        assertEquals(7, cases, "the golden file holds 6 dev and 1 schnell schedules");
    }

    @Test
    void modelFolderSchedulerConfigParsesAsDev() throws IOException {
        FlowMatchSchedulerConfig c = FlowMatchSchedulerConfig.read(
                golden("pipeline_text_tiny/model/scheduler/scheduler_config.json"));
        assertEquals(FlowMatchSchedulerConfig.dev(), c);
    }

    @Test
    void muIsLinearInTheSequenceLength() {
        FlowMatchSchedulerConfig dev = FlowMatchSchedulerConfig.dev();
        assertEquals(0.5, dev.mu(256), 1e-15);
        assertEquals(1.15, dev.mu(4096), 1e-15);
        // 1024x1024 = 64x64 = 4096 tokens; 512x512 = 1024 tokens.
        assertEquals(0.5 + 0.65 * 768 / 3840.0, dev.mu(1024), 1e-15);
    }

    @Test
    void schnellSigmasAreTheLinspaceUnchanged() {
        FlowMatchSchedule s = FlowMatchSchedule.of(FlowMatchSchedulerConfig.schnell(), 4, 4096);
        assertArrayEquals(new float[] {1f, 0.75f, 0.5f, 0.25f, 0f}, s.sigmas());
        assertArrayEquals(new float[] {1000f, 750f, 500f, 250f}, s.timesteps());
        FlowMatchSchedule one = FlowMatchSchedule.of(FlowMatchSchedulerConfig.dev(), 1, 4096);
        assertArrayEquals(new float[] {1f, 0f}, one.sigmas());
    }

    @Test
    void numpyLinspaceSetsTheEndpointExactly() {
        double[] y = FlowMatchSchedule.numpyLinspace(1.0, 1.0 / 28, 28);
        assertEquals(1.0, y[0]);
        assertEquals(1.0 / 28, y[27]);
        assertEquals(1.0 + 1 * ((1.0 / 28 - 1.0) / 27), y[1]);
    }

    @Test
    void transformerTimestepIsTheTimestepOver1000InFloat32() {
        FlowMatchSchedule s = FlowMatchSchedule.of(FlowMatchSchedulerConfig.dev(), 28, 4096);
        for (int i = 0; i < s.steps(); i++) {
            assertEquals(s.timestep(i) / 1000f, s.transformerTimestep(i));
            assertEquals(s.sigma(i), s.transformerTimestep(i), 1e-7f);
        }
    }

    @Test
    void eulerStepMovesBySigmaDifferenceTimesVelocity() {
        FlowMatchSchedule s = FlowMatchSchedule.of(FlowMatchSchedulerConfig.schnell(), 4, 4096);
        float[] x = {1f, -2f, 0.5f};
        s.eulerStep(3, x, new float[] {4f, 1f, -2f});
        // sigma 0.25 -> 0: dt = -0.25
        assertArrayEquals(new float[] {0f, -2.25f, 1f}, x);
    }

    private static float[] floats(HostTensor t) {
        assertEquals(DType.F32, t.dtype());
        FloatBuffer b = t.data().asFloatBuffer();
        float[] r = new float[b.remaining()];
        b.get(r);
        return r;
    }

    private static double relL2(float[] got, float[] ref) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = (double) got[i] - ref[i];
            diff += d * d;
            norm += (double) ref[i] * ref[i];
        }
        return Math.sqrt(diff / norm);
    }

    private static double maxAbs(float[] got, float[] ref) {
        double m = 0;
        for (int i = 0; i < ref.length; i++) {
            m = Math.max(m, Math.abs((double) got[i] - ref[i]));
        }
        return m;
    }
}
