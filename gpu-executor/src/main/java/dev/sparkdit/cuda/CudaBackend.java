package dev.sparkdit.cuda;

import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;

import java.util.ArrayList;
import java.util.List;

/** The CUDA backend: {@link CudaOps} plus device-memory arenas reserved with cudaMalloc up front. */
public final class CudaBackend implements ComputeBackend {
    private final CudaOps ops;
    private final List<DeviceMemory> blocks = new ArrayList<>();

    public CudaBackend(int deviceIndex, long scratchBytes) {
        this.ops = new CudaOps(deviceIndex, scratchBytes);
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Ops ops() {
        return ops;
    }

    public CudaOps cudaOps() {
        return ops;
    }

    @Override
    public Arena reserve(String name, long bytes) {
        DeviceMemory m = new DeviceMemory(ops.device(), Math.max(bytes, Arena.ALIGNMENT));
        blocks.add(m);
        return m.arena(name);
    }

    @Override
    public void close() {
        ops.synchronize();
        for (DeviceMemory m : blocks) {
            m.close();
        }
        blocks.clear();
        ops.close();
    }
}
