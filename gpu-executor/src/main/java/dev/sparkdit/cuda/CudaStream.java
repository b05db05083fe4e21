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
