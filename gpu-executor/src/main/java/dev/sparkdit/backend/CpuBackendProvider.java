package dev.sparkdit.backend;

import dev.sparkdit.options.RunOptions;

/** The libtorch CPU backend, where this build carries libtorch (the GPU bundle does not). */
public final class CpuBackendProvider implements BackendProvider {
    private volatile String reason;
    private volatile boolean checked;

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int autoPreference() {
        return 10;
    }

    @Override
    public String unavailableReason() {
        if (!checked) {
            try {
                Class.forName("org.bytedeco.pytorch.global.torch", false, getClass().getClassLoader());
                reason = null;
            } catch (ClassNotFoundException | LinkageError e) {
                reason = "libtorch (org.bytedeco:pytorch) is not on the class path; the GPU bundle carries only the"
                        + " CUDA backend (use --backend cuda, or run the CPU backend from a checkout: submit/sparkdit)";
            }
            checked = true;
        }
        return reason;
    }

    @Override
    public ComputeBackend create(int deviceIndex, long scratchBytes, RunOptions options) {
        String why = unavailableReason();
        if (why != null) {
            throw new BackendUnavailableException("the cpu backend cannot run here: " + why);
        }
        return new CpuBackend(scratchBytes);
    }
}
