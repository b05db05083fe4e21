package dev.sparkdit.cuda;

import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.global.cudart;

/** A CUDA event for timing: {@link #record} on a stream, then {@link #elapsedMs} between two events. */
public final class CudaEvent implements AutoCloseable {
    private CUevent_st handle;

    public CudaEvent() {
        CUevent_st e = new CUevent_st();
        CudaCheck.cudart(cudart.cudaEventCreate(e), "cudaEventCreate");
        this.handle = e;
    }

    public void record(CudaStream stream) {
        CudaCheck.cudart(cudart.cudaEventRecord(handle(), stream.handle()), "cudaEventRecord");
    }

    public void synchronize() {
        CudaCheck.cudart(cudart.cudaEventSynchronize(handle()), "cudaEventSynchronize");
    }

    /** Milliseconds from {@code start} to this event; waits for this event first. */
    public float elapsedMs(CudaEvent start) {
        synchronize();
        float[] ms = new float[1];
        CudaCheck.cudart(cudart.cudaEventElapsedTime(ms, start.handle(), handle()), "cudaEventElapsedTime");
        return ms[0];
    }

    CUevent_st handle() {
        if (handle == null) {
            throw new IllegalStateException("event is closed");
        }
        return handle;
    }

    @Override
    public void close() {
        if (handle != null) {
            CudaCheck.cudart(cudart.cudaEventDestroy(handle), "cudaEventDestroy");
            handle = null;
        }
    }
}
