package dev.sparkdit.cuda;

import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;

/**
 * A non-blocking CUDA stream (it does not synchronise with the legacy default stream, so every copy
 * this backend makes is enqueued on it explicitly).
 */
public final class CudaStream implements AutoCloseable {
    private CUstream_st handle;

    public CudaStream() {
        CUstream_st s = new CUstream_st();
        CudaCheck.cudart(cudart.cudaStreamCreateWithFlags(s, cudart.cudaStreamNonBlocking),
                "cudaStreamCreateWithFlags", "flags", "cudaStreamNonBlocking");
        this.handle = s;
    }

    /**
     * A non-blocking stream of the device's greatest priority: its blocks are scheduled first when SMs free
     * up, so short work on it does not queue behind a long kernel of a normal stream.
     */
    public static CudaStream highPriority() {
        int[] least = new int[1], greatest = new int[1];
        CudaCheck.cudart(cudart.cudaDeviceGetStreamPriorityRange(least, greatest), "cudaDeviceGetStreamPriorityRange");
        CUstream_st s = new CUstream_st();
        CudaCheck.cudart(cudart.cudaStreamCreateWithPriority(s, cudart.cudaStreamNonBlocking, greatest[0]),
                "cudaStreamCreateWithPriority", "priority", greatest[0]);
        return new CudaStream(s);
    }

    private CudaStream(CUstream_st handle) {
        this.handle = handle;
    }

    /** Work enqueued on this stream after this call waits for {@code event}'s last record (no host wait). */
    public void waitFor(CudaEvent event) {
        CudaCheck.cudart(cudart.cudaStreamWaitEvent(handle(), event.handle(), 0), "cudaStreamWaitEvent");
    }

    public CUstream_st handle() {
        if (handle == null) {
            throw new IllegalStateException("stream is closed");
        }
        return handle;
    }

    /** Whether a graph capture is under way on this stream (work enqueued now is recorded, not run). */
    public boolean isCapturing() {
        int[] status = new int[1];
        CudaCheck.cudart(cudart.cudaStreamIsCapturing(handle(), status), "cudaStreamIsCapturing");
        return status[0] != cudart.cudaStreamCaptureStatusNone;
    }

    public void synchronize() {
        CudaCheck.cudart(cudart.cudaStreamSynchronize(handle()), "cudaStreamSynchronize");
    }

    @Override
    public void close() {
        if (handle != null) {
            CudaCheck.cudart(cudart.cudaStreamDestroy(handle), "cudaStreamDestroy");
            handle = null;
        }
    }
}
