package dev.sparkdit.cuda;

/**
 * A native CUDA-family call returned an error status. Carries which library answered ({@code cudart},
 * {@code cuda-driver}, {@code cublasLt}, {@code cudnn}, {@code nccl}, {@code nvrtc}), the call, the
 * numeric status and its name, and a message naming the values the call was made with.
 */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String library;
    private final String call;
    private final int status;
    private final String statusName;

    public CudaException(String library, String call, int status, String statusName, String values) {
        super(library + " " + call + " failed: " + statusName + " (" + status + ")"
                + (values == null || values.isEmpty() ? "" : " with " + values));
        this.library = library;
        this.call = call;
        this.status = status;
        this.statusName = statusName;
    }

    public String library() {
        return library;
    }

    public String call() {
        return call;
    }

    public int status() {
        return status;
    }

    public String statusName() {
        return statusName;
    }
}
