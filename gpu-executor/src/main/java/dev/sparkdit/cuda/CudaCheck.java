package dev.sparkdit.cuda;

import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.cuda.global.nccl;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The one place every native status is checked. Each method returns quietly on success and otherwise
 * throws a {@link CudaException} naming the library, the call, the status and the values involved.
 * {@code values} are name/value pairs: {@code CudaCheck.cudart(s, "cudaMalloc", "bytes", n)}.
 */
public final class CudaCheck {
    private CudaCheck() {
    }

    public static void cudart(int status, String call, Object... values) {
        if (status != cudart.cudaSuccess) {
            throw new CudaException("cudart", call, status, name(cudart.cudaGetErrorName(status)), format(values));
        }
    }

    public static void driver(int status, String call, Object... values) {
        if (status != cudart.CUDA_SUCCESS) {
            String n;
            try (PointerPointer<?> pp = new PointerPointer<>(1)) {
                n = cudart.cuGetErrorName(status, pp) == cudart.CUDA_SUCCESS && pp.get(0) != null
                        ? new BytePointer(pp.get(0)).getString() : "CUresult " + status;
            }
            throw new CudaException("cuda-driver", call, status, n, format(values));
        }
    }

    public static void cublasLt(int status, String call, Object... values) {
        if (status != cublas.CUBLAS_STATUS_SUCCESS) {
            throw new CudaException("cublasLt", call, status, name(cublas.cublasLtGetStatusName(status)),
                    format(values));
        }
    }

    public static void cudnn(int status, String call, Object... values) {
        if (status != 0) {
            throw new CudaException("cudnn", call, status, name(cudnn.cudnnGetErrorString(status)), format(values));
        }
    }

    public static void nccl(int status, String call, Object... values) {
        if (status != 0) {
            throw new CudaException("nccl", call, status, name(nccl.ncclGetErrorString(status)), format(values));
        }
    }

    public static void nvrtc(int status, String call, Object... values) {
        if (status != 0) {
            throw new CudaException("nvrtc", call, status, name(nvrtc.nvrtcGetErrorString(status)), format(values));
        }
    }

    private static String name(BytePointer p) {
        return p == null || p.isNull() ? "unknown status" : p.getString();
    }

    static String format(Object... values) {
        if (values == null || values.length == 0) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < values.length; i += 2) {
            if (i > 0) {
                b.append(", ");
            }
            if (i + 1 < values.length) {
                b.append(values[i]).append('=').append(render(values[i + 1]));
            } else {
                b.append(render(values[i]));
            }
        }
        return b.toString();
    }

    private static String render(Object v) {
        if (v instanceof long[] a) {
            return java.util.Arrays.toString(a);
        }
        if (v instanceof int[] a) {
            return java.util.Arrays.toString(a);
        }
        return String.valueOf(v);
    }
}
