package dev.sparkdit.cuda;

import dev.sparkdit.backend.CommunicatorFactory;
import dev.sparkdit.backend.ComputeBackend;
import dev.sparkdit.backend.DeviceEvent;
import dev.sparkdit.backend.StepGraphs;
import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.usp.comm.NcclCommunicator;
import dev.sparkdit.usp.comm.PeerWindows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CUDA backend: {@link CudaOps} plus device-memory arenas reserved with cudaMalloc up front, NCCL
 * communicators on the backend's stream, peer windows for Ulysses groups of threads, CUDA graphs and events.
 */
public final class CudaBackend implements ComputeBackend {
    private final CudaOps ops;
    private final List<DeviceMemory> blocks = new ArrayList<>();

    public CudaBackend(int deviceIndex, long scratchBytes, CudaOptions options) {
        this.ops = new CudaOps(deviceIndex, scratchBytes, options);
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String deviceName() {
        return ops.cudaDevice().name() + " (cuda:" + ops.cudaDevice().index() + ")";
    }

    @Override
    public Ops ops() {
        return ops;
    }

    /** The CUDA ops themselves, for the GPU checks and kernel benchmarks that test them one by one. */
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
    public void release(Arena arena) {
        for (java.util.Iterator<DeviceMemory> it = blocks.iterator(); it.hasNext(); ) {
            DeviceMemory m = it.next();
            if (m.address() == arena.base()) {
                ops.synchronize();
                m.close();
                it.remove();
                return;
            }
        }
        throw new IllegalArgumentException("arena " + arena + " was not reserved by this backend");
    }

    @Override
    public CommunicatorFactory communicators() {
        return (rendezvous, group, rank, size, timeout) -> NcclCommunicator.create(rendezvous, group, rank, size,
                ops.cudaDevice().index(), ops.stream().handle(), timeout);
    }

    @Override
    public PeerWindows peerWindows(Duration timeout) {
        return new CudaPeerWindows(ops, timeout);
    }

    @Override
    public StepGraphs stepGraphs() {
        return new CudaStepGraphs(ops.stream());
    }

    @Override
    public DeviceEvent newEvent() {
        return new StreamEvent(new CudaEvent(), ops.stream());
    }

    @Override
    public long memoryInUse() {
        return ops.cudaDevice().totalMemory() - ops.cudaDevice().freeMemory();
    }

    @Override
    public Map<String, Object> diagnostics() {
        CublasLtLinear.Tuning t = ops.gemmTuning();
        Map<String, Object> gemm = new LinkedHashMap<>();
        gemm.put("shapes", t.shapes());
        gemm.put("changed", t.changed());
        gemm.put("first_ms", Math.round(t.firstMs() * 1000) / 1000.0);
        gemm.put("chosen_ms", Math.round(t.bestMs() * 1000) / 1000.0);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("gemm_tuning", gemm);
        d.put("attention_variant", ops.attentionVariant());
        return d;
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

    /** A CUDA event recorded on this backend's stream. */
    private record StreamEvent(CudaEvent event, CudaStream stream) implements DeviceEvent {
        @Override
        public void record() {
            event.record(stream);
        }

        @Override
        public void synchronize() {
            event.synchronize();
        }

        @Override
        public double elapsedMs(DeviceEvent start) {
            return event.elapsedMs(((StreamEvent) start).event);
        }

        @Override
        public void close() {
            event.close();
        }
    }
}
