package dev.sparkdit.parity;

import dev.sparkdit.json.Json;
import dev.sparkdit.pipeline.FlowMatchSchedule;
import dev.sparkdit.pipeline.FlowMatchSchedulerConfig;
import dev.sparkdit.safetensors.SafetensorsFile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scheduler case: every {@code <config>_steps<N>[_seq<L>]_sigmas / _timesteps} tensor of io.safetensors against
 * {@link FlowMatchSchedule} for that config (a key of config.json), step count and image sequence length. Host
 * arithmetic: the backend does not take part. Bound 1e-6.
 */
public final class SchedulerParity {
    private static final Pattern KEY = Pattern.compile("(\\w+?)_steps(\\d+)(?:_seq(\\d+))?_(sigmas|timesteps)");
    static final double TOLERANCE = 1e-6;

    private SchedulerParity() {
    }

    public static boolean isCase(ParityCase c) {
        return c.config().values().stream().anyMatch(v -> v instanceof Map<?, ?> m && m.containsKey("num_train_timesteps"));
    }

    public static List<ParityResult> run(ParityCase c) throws IOException {
        List<ParityResult> out = new ArrayList<>();
        try (SafetensorsFile io = SafetensorsFile.open(c.io())) {
            for (String name : new java.util.TreeSet<>(io.names())) {
                Matcher m = KEY.matcher(name);
                if (!m.matches()) {
                    continue;
                }
                Object cfg = c.config().get(m.group(1));
                if (!(cfg instanceof Map<?, ?>)) {
                    throw new IllegalArgumentException(c.io() + ": " + name + " names config '" + m.group(1)
                            + "', which config.json lacks");
                }
                FlowMatchSchedulerConfig config = FlowMatchSchedulerConfig.fromJson(Json.mapper().valueToTree(cfg),
                        c.dir().resolve("config.json") + " " + m.group(1));
                int steps = Integer.parseInt(m.group(2));
                int seq = m.group(3) == null ? 4096 : Integer.parseInt(m.group(3));
                FlowMatchSchedule s = FlowMatchSchedule.of(config, steps, seq);
                float[] actual = m.group(4).equals("sigmas") ? s.sigmas() : s.timesteps();
                out.add(new ParityResult(c.name(), name, "host", "f32", "1",
                        ErrorStats.of(actual, CaseTensors.floats(io, name)), TOLERANCE));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(c.io() + " holds no <config>_steps<N>_sigmas / _timesteps tensors");
        }
        return out;
    }
}
