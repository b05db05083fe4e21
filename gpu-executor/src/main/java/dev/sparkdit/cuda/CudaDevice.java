package dev.sparkdit.cuda;

import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * One CUDA device made current on the calling thread, with its primary context created
 * ({@code cudaSetDevice} + {@code cudaFree(0)}), so that driver-API calls (module loading) find it.
 */
public final class CudaDevice implements AutoCloseable {
    private final int index;
    private final String name;
    private final int smCount;
    private final long totalMemory;
    private final int major;
    private final int minor;
    private final long sharedMemPerBlockOptin;

    public CudaDevice(int index) {
        int[] count = new int[1];
        CudaCheck.cudart(cudart.cudaGetDeviceCount(count), "cudaGetDeviceCount");
        if (index < 0 || index >= count[0]) {
            throw new IllegalArgumentException("CUDA device " + index + " does not exist (" + count[0] + " visible)");
        }
        this.index = index;
        makeCurrent();
        CudaCheck.cudart(cudart.cudaFree(null), "cudaFree(0)", "device", index);
        try (cudaDeviceProp p = new cudaDeviceProp()) {
            CudaCheck.cudart(cudart.cudaGetDeviceProperties(p, index), "cudaGetDeviceProperties", "device", index);
            this.name = p.name().getString();
            this.smCount = p.multiProcessorCount();
            this.totalMemory = p.totalGlobalMem();
            this.major = p.major();
            this.minor = p.minor();
            this.sharedMemPerBlockOptin = p.sharedMemPerBlockOptin();
        }
    }

    /** Makes this device current on the calling thread (each thread that launches work must). */
    /** CUDA devices visible to this process. */
    public static int count() {
        int[] n = new int[1];
        CudaCheck.cudart(cudart.cudaGetDeviceCount(n), "cudaGetDeviceCount");
        return n[0];
    }

    public void makeCurrent() {
        CudaCheck.cudart(cudart.cudaSetDevice(index), "cudaSetDevice", "device", index);
    }

    /** Free device memory in bytes, now. */
    public long freeMemory() {
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            CudaCheck.cudart(cudart.cudaMemGetInfo(free, total), "cudaMemGetInfo", "device", index);
            return free.get();
        }
    }

    public void synchronize() {
        CudaCheck.cudart(cudart.cudaDeviceSynchronize(), "cudaDeviceSynchronize", "device", index);
    }

    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    public int smCount() {
        return smCount;
    }

    public long totalMemory() {
        return totalMemory;
    }

    /** Compute capability, e.g. 90 for sm_90. */
    public int computeCapability() {
        return major * 10 + minor;
    }

    public long sharedMemPerBlockOptin() {
        return sharedMemPerBlockOptin;
    }

    /** The primary context stays alive for the process; closing only drops this handle. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "cuda:" + index + " " + name + " (sm_" + computeCapability() + ", " + smCount + " SMs, "
                + (totalMemory >> 20) + " MiB)";
    }
}
