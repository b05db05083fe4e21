package dev.sparkdit.cuda;

import dev.sparkdit.backend.BackendProvider;
import dev.sparkdit.backend.BackendUnavailableException;
import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.options.RunOptions;

/**
 * The CUDA backend, where this build has its kernels and this machine a CUDA 13 runtime, a driver and a device.
 * Asking loads JavaCPP's CUDA bindings once; a failure is turned into what is actually missing
 * ({@link CudaAvailability}), not the bindings' "no jnicudart in java.library.path".
 */
public final class CudaBackendProvider implements BackendProvider {
    private volatile String reason;
    private volatile boolean checked;

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int autoPreference() {
        return 0;
    }

    @Override
    public String unavailableReason() {
        if (!checked) {
            synchronized (this) {
                if (!checked) {
                    reason = CudaAvailability.check();
                    checked = true;
                }
            }
        }
        return reason;
    }

    @Override
    public ComputeBackend create(int deviceIndex, long scratchBytes, RunOptions options) {
        String why = unavailableReason();
        if (why != null) {
            throw new BackendUnavailableException("the cuda backend cannot run here: " + why);
        }
        return new CudaBackend(deviceIndex, scratchBytes, options.cuda());
    }
}
