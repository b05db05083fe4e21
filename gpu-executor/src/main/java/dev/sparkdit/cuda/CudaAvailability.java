package dev.sparkdit.cuda;

import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Loader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether the CUDA backend can run here, and if not, why, in words: the kernels missing from the build, no
 * NVIDIA driver ({@code libcuda.so.1}), no CUDA 13 runtime ({@code libcudart.so.13}), or no visible device.
 */
final class CudaAvailability {
    /** Where Linux distributions and containers put the driver's user-space library. */
    private static final List<String> DRIVER_DIRS = List.of("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu",
            "/usr/lib64", "/usr/lib", "/usr/local/nvidia/lib64", "/usr/local/nvidia/lib", "/usr/lib/wsl/lib");

    private CudaAvailability() {
    }

    /** Null when the backend can run, else the reason. */
    static String check() {
        if (CudaAvailability.class.getResource(KernelModule.RESOURCE) == null) {
            return "this build has no CUDA kernels (" + KernelModule.RESOURCE + " is missing: it was built with"
                    + " -Dsparkdit.cpuOnly=true or without nvcc)";
        }
        try {
            Loader.load(cudart.class);
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
            return explainLoadFailure(e);
        }
        int[] count = new int[1];
        int status = cudart.cudaGetDeviceCount(count);
        if (status != cudart.cudaSuccess) {
            return "cudaGetDeviceCount failed with " + status + " (" + cudart.cudaGetErrorString(status).getString()
                    + "): the NVIDIA driver is missing, too old for CUDA 13, or sees no GPU";
        }
        if (count[0] == 0) {
            return "no CUDA device is visible (CUDA_VISIBLE_DEVICES=" + System.getenv("CUDA_VISIBLE_DEVICES") + ")";
        }
        return null;
    }

    private static String explainLoadFailure(Throwable e) {
        List<String> dirs = searchPath();
        if (find("libcuda.so.1", dirs) == null) {
            return "no NVIDIA driver on this machine: libcuda.so.1 is in none of " + String.join(", ", dirs)
                    + " (the CUDA backend needs a GPU and its driver; use --backend cpu)";
        }
        if (find("libcudart.so.13", dirs) == null) {
            return "the CUDA 13 runtime libcudart.so.13 is in none of " + String.join(", ", dirs)
                    + " (add the folder that holds it to LD_LIBRARY_PATH; the GPU bundle's launcher also searches"
                    + " pip's nvidia packages)";
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return "JavaCPP could not load the CUDA bindings although libcuda.so.1 and libcudart.so.13 were found: "
                + root + " (run with -Dorg.bytedeco.javacpp.logger.debug=true for the library search)";
    }

    private static List<String> searchPath() {
        Set<String> dirs = new LinkedHashSet<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String d : ld.split(":")) {
                if (!d.isEmpty()) {
                    dirs.add(d);
                }
            }
        }
        dirs.addAll(DRIVER_DIRS);
        return new ArrayList<>(dirs);
    }

    private static Path find(String library, List<String> dirs) {
        for (String d : dirs) {
            Path p = Path.of(d, library);
            if (Files.exists(p)) {
                return p;
            }
        }
        return null;
    }
}
