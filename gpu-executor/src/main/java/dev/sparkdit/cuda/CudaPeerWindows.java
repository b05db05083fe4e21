package dev.sparkdit.cuda;

import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;
import dev.sparkdit.usp.comm.Communicator;
import dev.sparkdit.usp.comm.PeerWindow;
import dev.sparkdit.usp.comm.PeerWindows;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.LongPointer;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Opens {@link CudaPeerWindow}s for one rank (its device, stream and kernels) where the whole group can:
 * every rank a thread of this process (they report the same {@link #PROCESS_ID}), at most
 * {@link CudaPeerWindow#MAX_RANKS} ranks, virtual memory management on every device, and peer access
 * between this rank's GPU and every other rank's. The verdict is agreed on by all ranks, so either all
 * get a window or none does. Ranks that are separate processes (or hosts) keep the communicator.
 */
public final class CudaPeerWindows implements PeerWindows, AutoCloseable {
    /** Random per JVM: ranks reporting the same value are threads of this process. */
    static final long PROCESS_ID = new SecureRandom().nextLong();

    private final CudaOps ops;
    private final Duration timeout;
    private final List<CudaPeerWindow> opened = new ArrayList<>();

    /** @param timeout how long a barrier waits for a peer before it fails the stream */
    public CudaPeerWindows(CudaOps ops, Duration timeout) {
        this.ops = ops;
        this.timeout = timeout;
    }

    @Override
    public Optional<PeerWindow> open(Communicator comm, long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("peer window: bytes per rank must be > 0, got " + bytes);
        }
        if (ops.stream().isCapturing()) {
            System.err.println("sparkdit: no peer window for " + comm + ": its first use came during CUDA graph "
                    + "capture, where it cannot be opened; this run exchanges through the communicator (run one eager "
                    + "step before capturing to get the window)");
            return Optional.empty();
        }
        int device = ops.cudaDevice().index();
        ops.cudaDevice().makeCurrent();
        int n = comm.size();
        int[] vmm = {0};
        CudaCheck.driver(cudart.cuDeviceGetAttribute(vmm, cudart.CU_DEVICE_ATTRIBUTE_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED,
                device), "cuDeviceGetAttribute(VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED)", "device", device);
        long granularity = vmm[0] == 1 ? CudaPeerWindow.granularity(device) : 0;
        long[] seen = gather(comm, PROCESS_ID, device, granularity); // rank r's three at [3r, 3r + 3)
        boolean ok = n <= CudaPeerWindow.MAX_RANKS;
        long grain = 0;
        for (int r = 0; r < n && ok; r++) {
            long peer = seen[3 * r + 1];
            long itsGrain = seen[3 * r + 2];
            ok = seen[3 * r] == PROCESS_ID && itsGrain > 0;
            grain = Math.max(grain, itsGrain);
            if (ok && peer != device) {
                int[] can = {0};
                CudaCheck.cudart(cudart.cudaDeviceCanAccessPeer(can, device, (int) peer), "cudaDeviceCanAccessPeer",
                        "device", device, "peer", peer);
                ok = can[0] == 1;
            }
        }
        long[] verdicts = gather(comm, ok ? 1 : 0);
        for (long v : verdicts) {
            if (v != 1) {
                return Optional.empty();
            }
        }
        long stride = (CudaPeerWindow.FLAG_BYTES + bytes + grain - 1) / grain * grain;
        CudaPeerWindow w = CudaPeerWindow.open(comm.rank(), n, device, stride, v -> gather(comm, v), ops.kernels(),
                ops.stream(), timeout);
        synchronized (opened) {
            opened.add(w);
        }
        return Optional.of(w);
    }

    /**
     * Every rank's {@code values}, in rank order: rank r's at {@code [r * k, (r + 1) * k)} for {@code k}
     * values (an all-gather through device memory).
     */
    private long[] gather(Communicator comm, long... values) {
        int n = comm.size();
        int k = values.length;
        try (DeviceMemory m = new DeviceMemory(ops.device(), 8L * k * (n + 1));
             LongPointer host = new LongPointer((long) k * n)) {
            host.put(values);
            CudaCheck.cudart(cudart.cudaMemcpy(DevicePointers.of(m.address()), host, 8L * k, cudart.cudaMemcpyHostToDevice),
                    "cudaMemcpy", "bytes", 8L * k, "kind", "host to device");
            comm.allGather(new Tensor(m.address(), ops.device(), DType.I64, k),
                    new Tensor(m.address() + 8L * k, ops.device(), DType.I64, (long) n * k));
            ops.synchronize();
            CudaCheck.cudart(cudart.cudaMemcpy(host, DevicePointers.of(m.address() + 8L * k), 8L * k * n,
                    cudart.cudaMemcpyDeviceToHost), "cudaMemcpy", "bytes", 8L * k * n, "kind", "device to host");
            long[] out = new long[k * n];
            host.get(out);
            return out;
        }
    }

    /** Releases ranks waiting in any window's barrier (a rank failed). */
    public void abort() {
        synchronized (opened) {
            for (CudaPeerWindow w : opened) {
                w.abort();
            }
        }
    }

    @Override
    public void close() {
        RuntimeException first = null;
        synchronized (opened) {
            for (CudaPeerWindow w : opened) {
                try {
                    w.close();
                } catch (RuntimeException e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
            opened.clear();
        }
        if (first != null) {
            throw first;
        }
    }
}
