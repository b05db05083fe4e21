package dev.sparkdit.cuda;

import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The project's kernels: the fatbin resource {@value #RESOURCE} (built by {@code src/main/cuda/build.sh})
 * loaded with {@code cuModuleLoadData} into the current device's primary context, with functions
 * looked up once by name and cached. Launches raise a kernel's dynamic shared-memory limit the first
 * time it asks for more than 48 KB.
 */
public final class KernelModule implements AutoCloseable {
    public static final String RESOURCE = "/dev/sparkdit/cuda/sparkdit_kernels.fatbin";
    private static final int DEFAULT_SMEM_LIMIT = 48 * 1024;

    private final CudaDevice device;
    private CUmod_st module;
    private final Map<String, CUfunc_st> functions = new HashMap<>();
    private final Map<String, Integer> smemLimits = new HashMap<>();

    /** Loads the fatbin for {@code device}, which is made current first (its primary context then exists). */
    public KernelModule(CudaDevice device) {
        this.device = device;
        device.makeCurrent();
        byte[] image = readResource();
        CUmod_st m = new CUmod_st();
        try (BytePointer p = new BytePointer(image.length + 1L)) {
            p.put(image, 0, image.length).put(image.length, (byte) 0);
            CudaCheck.driver(cudart.cuModuleLoadData(m, p), "cuModuleLoadData", "resource", RESOURCE,
                    "bytes", image.length, "device", device);
        }
        this.module = m;
    }

    private static byte[] readResource() {
        try (InputStream in = KernelModule.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("kernel fatbin " + RESOURCE + " is not on the classpath: this jar was"
                        + " built with -Dsparkdit.cpuOnly=true or without nvcc; rebuild gpu-executor with CUDA 13");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }

    /** The kernel {@code name} ({@code extern "C"} entry point), looked up once. */
    public CUfunc_st function(String name) {
        CUfunc_st f = functions.get(name);
        if (f == null) {
            f = new CUfunc_st();
            CudaCheck.driver(cudart.cuModuleGetFunction(f, module(), name), "cuModuleGetFunction", "kernel", name);
            functions.put(name, f);
        }
        return f;
    }

    /**
     * Whether the module has the kernel {@code name} (looked up quietly; a hit is cached like
     * {@link #function(String)}'s), so that a launcher can fall back when a fatbin lacks a newer entry point.
     */
    public boolean hasFunction(String name) {
        if (functions.containsKey(name)) {
            return true;
        }
        CUfunc_st f = new CUfunc_st();
        if (cudart.cuModuleGetFunction(f, module(), name) != cudart.CUDA_SUCCESS) {
            return false;
        }
        functions.put(name, f);
        return true;
    }

    /** Enqueues {@code name<<<grid, block, smemBytes, stream>>>(args)}. */
    public void launch(String name, long gridX, long gridY, long gridZ, int block, int smemBytes, CudaStream stream,
                       KernelArgs args) {
        if (gridX <= 0 || gridY <= 0 || gridZ <= 0) {
            throw new IllegalArgumentException("kernel " + name + ": empty grid (" + gridX + ", " + gridY + ", " + gridZ
                    + ")");
        }
        if (gridX > Integer.MAX_VALUE || gridY > 65535 || gridZ > 65535) {
            throw new IllegalArgumentException("kernel " + name + ": grid (" + gridX + ", " + gridY + ", " + gridZ
                    + ") exceeds CUDA limits (2^31-1, 65535, 65535)");
        }
        CUfunc_st f = function(name);
        if (smemBytes > DEFAULT_SMEM_LIMIT && smemLimits.getOrDefault(name, DEFAULT_SMEM_LIMIT) < smemBytes) {
            if (smemBytes > device.sharedMemPerBlockOptin()) {
                throw new IllegalArgumentException("kernel " + name + " needs " + smemBytes + " bytes of shared memory; "
                        + device + " allows " + device.sharedMemPerBlockOptin() + " per block");
            }
            CudaCheck.driver(cudart.cuFuncSetAttribute(f, cudart.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                    smemBytes), "cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES)", "kernel", name, "bytes", smemBytes);
            smemLimits.put(name, smemBytes);
        }
        CudaCheck.driver(cudart.cuLaunchKernel(f, (int) gridX, (int) gridY, (int) gridZ, block, 1, 1, smemBytes,
                        stream.handle(), args.array(), null), "cuLaunchKernel", "kernel", name,
                "grid", new long[] {gridX, gridY, gridZ}, "block", block, "smem", smemBytes, "args", args.size());
    }

    public CudaDevice device() {
        return device;
    }

    private CUmod_st module() {
        if (module == null) {
            throw new IllegalStateException("kernel module is closed");
        }
        return module;
    }

    @Override
    public void close() {
        if (module != null) {
            CudaCheck.driver(cudart.cuModuleUnload(module), "cuModuleUnload");
            module = null;
            functions.clear();
        }
    }
}
