package dev.sparkdit.cuda;

import dev.sparkdit.usp.comm.PeerWindow;
import org.bytedeco.cuda.cudart.CUmemAccessDesc_v1;
import org.bytedeco.cuda.cudart.CUmemAllocationProp_v1;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

import java.time.Duration;

/**
 * A {@link PeerWindow} over GPUs driven by threads of one process, built with CUDA's virtual memory
 * management: every rank creates its part as physical memory on its own GPU ({@code cuMemCreate}), and
 * every rank maps all parts, in rank order, into one reserved address range of its own and grants its
 * GPU access to it ({@code cuMemMap}, {@code cuMemSetAccess}). A store to part {@code j} from rank
 * {@code i}'s GPU goes over NVLink. The barrier is the {@code peer_barrier} kernel (peer_barrier.cu),
 * whose flags sit in the first {@link #FLAG_BYTES} of each part.
 *
 * <pre>
 *   address range (every rank):  [ part 0 | part 1 | ... | part U-1 ]   each {@code stride} bytes
 *   part:                        [ flags, 4 KiB | bytes() usable ]
 * </pre>
 */
final class CudaPeerWindow implements PeerWindow {
    /** Bytes at the start of each part kept for the barrier's flags (peer_barrier.cu's layout). */
    static final long FLAG_BYTES = 4096;
    /** peer_barrier's block: one thread per rank. */
    static final int MAX_RANKS = 32;
    static final String KERNEL = "peer_barrier";

    private final int rank;
    private final int size;
    private final int device;
    private final long stride;
    private final long range;
    private final long handle;
    private final KernelModule kernels;
    private final CudaStream stream;
    private final long timeoutNs;
    private final Pointer abortFlag;
    private final long abortFlagOnDevice;
    private long address;
    private volatile boolean aborted;

    private CudaPeerWindow(int rank, int size, int device, long stride, long handle, long address, KernelModule kernels,
                           CudaStream stream, Duration timeout, Pointer abortFlag, long abortFlagOnDevice) {
        this.abortFlagOnDevice = abortFlagOnDevice;
        this.rank = rank;
        this.size = size;
        this.device = device;
        this.stride = stride;
        this.range = stride * size;
        this.handle = handle;
        this.address = address;
        this.kernels = kernels;
        this.stream = stream;
        this.timeoutNs = timeout.toNanos();
        this.abortFlag = abortFlag;
    }

    /** The exchange of one value per rank that opening needs (an all-gather over the group). */
    interface Gather {
        long[] gather(long value);
    }

    /** This rank's physical part: {@code stride} bytes on {@code device}, not yet mapped anywhere. */
    static long createPart(int device, long stride) {
        try (CUmemAllocationProp_v1 prop = allocationProp(device)) {
            long[] h = {0};
            CudaCheck.driver(cudart.cuMemCreate(h, stride, prop, 0), "cuMemCreate", "bytes", stride, "device", device);
            return h[0];
        }
    }

    /** The allocation granularity of {@code device}: parts are multiples of it. */
    static long granularity(int device) {
        try (CUmemAllocationProp_v1 prop = allocationProp(device);
             org.bytedeco.javacpp.SizeTPointer g = new org.bytedeco.javacpp.SizeTPointer(1)) {
            CudaCheck.driver(cudart.cuMemGetAllocationGranularity(g, prop, cudart.CU_MEM_ALLOC_GRANULARITY_RECOMMENDED),
                    "cuMemGetAllocationGranularity", "device", device);
            return g.get();
        }
    }

    private static CUmemAllocationProp_v1 allocationProp(int device) {
        CUmemAllocationProp_v1 prop = new CUmemAllocationProp_v1();
        prop.type(cudart.CU_MEM_ALLOCATION_TYPE_PINNED);
        prop.location().type(cudart.CU_MEM_LOCATION_TYPE_DEVICE).id(device);
        return prop;
    }

    /**
     * Collective: maps every rank's part (handles exchanged through {@code gather}) into one address
     * range on this rank. On failure this rank's part is released and the exception propagates (the
     * caller aborts the group so that peers do not wait for it).
     */
    static CudaPeerWindow open(int rank, int size, int device, long stride, Gather gather, KernelModule kernels,
                               CudaStream stream, Duration timeout) {
        long handle = createPart(device, stride);
        long address = 0;
        int mapped = 0;
        Pointer abortFlag = null;
        long range = stride * size;
        try {
            long[] handles = gather.gather(handle);
            long[] va = {0};
            CudaCheck.driver(cudart.cuMemAddressReserve(va, range, 0, 0, 0), "cuMemAddressReserve", "bytes", range);
            address = va[0];
            for (int j = 0; j < size; j++) {
                CudaCheck.driver(cudart.cuMemMap(address + j * stride, stride, 0, handles[j], 0), "cuMemMap", "part", j,
                        "bytes", stride, "device", device);
                mapped++;
            }
            try (CUmemAccessDesc_v1 access = new CUmemAccessDesc_v1()) {
                access.location().type(cudart.CU_MEM_LOCATION_TYPE_DEVICE).id(device);
                access.flags(cudart.CU_MEM_ACCESS_FLAGS_PROT_READWRITE);
                CudaCheck.driver(cudart.cuMemSetAccess(address, range, access, 1), "cuMemSetAccess", "bytes", range,
                        "device", device);
            }
            CudaCheck.driver(cudart.cuMemsetD8(address + rank * stride, (byte) 0, FLAG_BYTES), "cuMemsetD8",
                    "bytes", FLAG_BYTES, "device", device);
            abortFlag = new Pointer();
            CudaCheck.cudart(cudart.cudaHostAlloc(abortFlag, 4, cudart.cudaHostAllocMapped | cudart.cudaHostAllocPortable),
                    "cudaHostAlloc", "bytes", 4, "flags", "mapped|portable");
            new IntPointer(abortFlag).put(0, 0);
            Pointer onDevice = new Pointer();
            CudaCheck.cudart(cudart.cudaHostGetDevicePointer(onDevice, abortFlag, 0), "cudaHostGetDevicePointer",
                    "device", device);
            // every rank's flags are zero before any rank's first barrier stores into them
            gather.gather(1);
            return new CudaPeerWindow(rank, size, device, stride, handle, address, kernels, stream, timeout, abortFlag,
                    onDevice.address());
        } catch (RuntimeException | Error e) {
            if (abortFlag != null && !abortFlag.isNull()) {
                cudart.cudaFreeHost(abortFlag);
            }
            if (address != 0) {
                if (mapped > 0) {
                    cudart.cuMemUnmap(address, mapped * stride);
                }
                cudart.cuMemAddressFree(address, range);
            }
            cudart.cuMemRelease(handle);
            throw e;
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long bytes() {
        return stride - FLAG_BYTES;
    }

    @Override
    public long base() {
        return mappedAddress() + FLAG_BYTES;
    }

    @Override
    public long stride() {
        return stride;
    }

    @Override
    public void barrier() {
        if (aborted) {
            throw new IllegalStateException("peer window of rank " + rank + " of " + size + " was aborted");
        }
        try (KernelArgs a = new KernelArgs().ptr(mappedAddress()).i64(stride).i32(rank).i32(size)
                .ptr(abortFlagOnDevice).i64(timeoutNs)) {
            kernels.launch(KERNEL, 1, 1, 1, MAX_RANKS, 0, stream, a);
        }
    }

    @Override
    public void abort() {
        aborted = true;
        if (abortFlag != null) {
            new IntPointer(abortFlag).put(0, 1);
        }
    }

    /**
     * Waits for this rank's work (a peer stores into this part only before a barrier this rank also
     * passed), then unmaps the range and releases this rank's part; the peers' parts stay alive until
     * their owners release them and every mapping is gone.
     */
    @Override
    public void close() {
        if (address == 0) {
            return;
        }
        if (!aborted) {
            stream.synchronize();
        }
        long a = address;
        address = 0;
        CudaCheck.driver(cudart.cuMemUnmap(a, range), "cuMemUnmap", "bytes", range, "device", device);
        CudaCheck.driver(cudart.cuMemAddressFree(a, range), "cuMemAddressFree", "bytes", range);
        CudaCheck.driver(cudart.cuMemRelease(handle), "cuMemRelease", "device", device);
        if (!aborted) {
            CudaCheck.cudart(cudart.cudaFreeHost(abortFlag), "cudaFreeHost");
        } // after an abort a barrier kernel may still read the flag: leak 4 bytes rather than fault
    }

    private long mappedAddress() {
        if (address == 0) {
            throw new IllegalStateException("peer window is closed");
        }
        return address;
    }

    @Override
    public String toString() {
        return "CudaPeerWindow[rank " + rank + " of " + size + ", device " + device + ", " + stride + " bytes per part]";
    }
}
