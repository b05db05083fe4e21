package dev.sparkdit.backend;

import dev.sparkdit.cpu.HostMemory;
import dev.sparkdit.cpu.TorchOps;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;

import java.util.ArrayList;
import java.util.List;

/** The libtorch CPU backend with host-memory arenas. */
public final class CpuBackend implements ComputeBackend {
    private final TorchOps ops;
    private final List<HostMemory> blocks = new ArrayList<>();

    public CpuBackend(long scratchBytes) {
        this.ops = new TorchOps(scratchBytes);
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Ops ops() {
        return ops;
    }

    @Override
    public Arena reserve(String name, long bytes) {
        HostMemory m = new HostMemory(name, bytes);
        blocks.add(m);
        return m.arena();
    }

    @Override
    public void close() {
        for (HostMemory m : blocks) {
            m.close();
        }
        blocks.clear();
        ops.close();
    }
}
