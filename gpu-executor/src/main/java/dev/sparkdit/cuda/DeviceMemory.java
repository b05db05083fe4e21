package dev.sparkdit.cuda;

import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.Device;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Pointer;

/** One {@code cudaMalloc} region, freed on close; {@link #arena} hands it out as tensors. */
public final class DeviceMemory implements AutoCloseable {
    private final Device device;
    private final long bytes;
    private long address;

    public DeviceMemory(Device device, long bytes) {
        if (device.kind() != Device.Kind.CUDA) {
            throw new IllegalArgumentException("device memory needs a CUDA device, got " + device);
        }
        if (bytes <= 0) {
            throw new IllegalArgumentException("device memory size must be > 0 bytes, got " + bytes);
        }
        Pointer p = new Pointer();
        CudaCheck.cudart(cudart.cudaMalloc(p, bytes), "cudaMalloc", "bytes", bytes, "device", device);
        this.device = device;
        this.bytes = bytes;
        this.address = p.address();
    }

    /** An arena over the whole region (cudaMalloc returns 256-byte aligned memory). */
    public Arena arena(String name) {
        return new Arena(name, device, address(), bytes);
    }

    public long address() {
        if (address == 0) {
            throw new IllegalStateException("device memory is freed");
        }
        return address;
    }

    public long bytes() {
        return bytes;
    }

    public Device device() {
        return device;
    }

    @Override
    public void close() {
        if (address != 0) {
            CudaCheck.cudart(cudart.cudaFree(DevicePointers.of(address)), "cudaFree", "bytes", bytes);
            address = 0;
        }
    }
}
