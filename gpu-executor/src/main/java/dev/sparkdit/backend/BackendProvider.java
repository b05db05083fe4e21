package dev.sparkdit.backend;

import dev.sparkdit.options.RunOptions;

/**
 * A kind of backend this build can make, found through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.sparkdit.backend.BackendProvider}). Providers must be cheap to load: they
 * touch no native library until {@link #unavailableReason()} or {@link #create} is called.
 */
public interface BackendProvider {
    /** {@code cpu} or {@code cuda}: the value of {@code --backend} / {@code sparkdit.backend}. */
    String name();

    /** Lower goes first when the backend is {@code auto}. */
    int autoPreference();

    /**
     * Null when this machine can run this backend, else one sentence saying what is missing (a jar, a driver,
     * a device). May load native libraries; the answer is cached.
     */
    String unavailableReason();

    /** A backend on device {@code deviceIndex} with a scratch arena of {@code scratchBytes}. */
    ComputeBackend create(int deviceIndex, long scratchBytes, RunOptions options);
}
