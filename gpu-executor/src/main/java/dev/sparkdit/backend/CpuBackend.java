package dev.sparkdit.backend;

import dev.sparkdit.cpu.HostMemory;
import dev.sparkdit.cpu.TorchOps;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.usp.comm.GlooCommunicator;
import dev.sparkdit.usp.comm.PeerWindows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The libtorch CPU backend with host-memory arenas: Gloo communicators, no peer windows, no graphs, the wall
 * clock for timings (its ops finish before they return).
 */
public final class CpuBackend implements ComputeBackend {
    private final TorchOps ops;
    private final long scratchBytes;
    private final List<HostMemory> blocks = new ArrayList<>();

    public CpuBackend(long scratchBytes) {
        this.ops = new TorchOps(scratchBytes);
        this.scratchBytes = scratchBytes;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String deviceName() {
        return "cpu (libtorch, " + Runtime.getRuntime().availableProcessors() + " cores)";
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
    public void release(Arena arena) {
        for (java.util.Iterator<HostMemory> it = blocks.iterator(); it.hasNext(); ) {
            HostMemory m = it.next();
            if (m.address() == arena.base()) {
                m.close();
                it.remove();
                return;
            }
        }
        throw new IllegalArgumentException("arena " + arena + " was not reserved by this backend");
    }

    @Override
    public CommunicatorFactory communicators() {
        return GlooCommunicator::create;
    }

    @Override
    public PeerWindows peerWindows(Duration timeout) {
        return PeerWindows.NONE;
    }

    @Override
    public StepGraphs stepGraphs() {
        return StepGraphs.eager();
    }

    @Override
    public DeviceEvent newEvent() {
        return new HostEvent();
    }

    @Override
    public long memoryInUse() {
        long total = scratchBytes;
        for (HostMemory m : blocks) {
            total += m.size();
        }
        return total;
    }

    @Override
    public Map<String, Object> diagnostics() {
        return Map.of();
    }

    @Override
    public void close() {
        for (HostMemory m : blocks) {
            m.close();
        }
        blocks.clear();
        ops.close();
    }

    /** The wall clock: CPU ops are done when they return, so "recorded" means "now". */
    private static final class HostEvent implements DeviceEvent {
        private long nanos;

        @Override
        public void record() {
            nanos = System.nanoTime();
        }

        @Override
        public void synchronize() {
        }

        @Override
        public double elapsedMs(DeviceEvent start) {
            return (nanos - ((HostEvent) start).nanos) / 1e6;
        }

        @Override
        public void close() {
        }
    }
}
