package dev.sparkdit.backend;

import dev.sparkdit.options.RunOptions;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/** The backends this build holds, and the choice among them by name ({@code auto}, {@code cpu}, {@code cuda}). */
public final class Backends {
    private static final List<BackendProvider> PROVIDERS = load();

    private Backends() {
    }

    private static List<BackendProvider> load() {
        List<BackendProvider> all = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) {
            all.add(p);
        }
        all.sort(Comparator.comparingInt(BackendProvider::autoPreference));
        return List.copyOf(all);
    }

    /** Every provider in this build, in {@code auto} order. */
    public static List<BackendProvider> providers() {
        return PROVIDERS;
    }

    /**
     * The provider for {@code name}, checked to run here: {@code auto} takes the first that can (CUDA before the
     * CPU). Throws {@link BackendUnavailableException} saying why a named backend (or every backend) cannot run.
     */
    public static BackendProvider choose(String name) {
        if (name.equals("auto")) {
            StringBuilder why = new StringBuilder();
            for (BackendProvider p : PROVIDERS) {
                String reason = p.unavailableReason();
                if (reason == null) {
                    return p;
                }
                why.append("; ").append(p.name()).append(": ").append(reason);
            }
            throw new BackendUnavailableException("no backend can run on this machine" + why);
        }
        for (BackendProvider p : PROVIDERS) {
            if (p.name().equals(name)) {
                String reason = p.unavailableReason();
                if (reason != null) {
                    throw new BackendUnavailableException("the " + name + " backend cannot run here: " + reason);
                }
                return p;
            }
        }
        List<String> names = new ArrayList<>();
        for (BackendProvider p : PROVIDERS) {
            names.add(p.name());
        }
        throw new BackendUnavailableException("unknown backend '" + name + "'; this build has " + names);
    }

    /** {@code options.backend()} on device {@code deviceIndex}, with {@code scratchBytes} of scratch. */
    public static ComputeBackend create(RunOptions options, int deviceIndex, long scratchBytes) {
        return choose(options.backend()).create(deviceIndex, scratchBytes, options);
    }
}
