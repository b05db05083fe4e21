package dev.sparkdit.backend;

import java.lang.reflect.InvocationTargetException;
import java.util.Locale;

/**
 * Creates a backend by name. The CUDA backend is looked up reflectively so that the CPU path never
 * loads CUDA classes and a GPU bundle without libtorch never loads libtorch classes.
 */
public final class Backends {
    private Backends() {
    }

    public static ComputeBackend create(String name, int deviceIndex, long scratchBytes) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "cpu" -> new CpuBackend(scratchBytes);
            case "cuda", "gpu" -> reflect("dev.sparkdit.cuda.CudaBackend", deviceIndex, scratchBytes);
            default -> throw new IllegalArgumentException("unknown backend '" + name + "' (expected cpu or cuda)");
        };
    }

    private static ComputeBackend reflect(String cls, int deviceIndex, long scratchBytes) {
        try {
            return (ComputeBackend) Class.forName(cls).getConstructor(int.class, long.class)
                    .newInstance(deviceIndex, scratchBytes);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the CUDA backend is not in this build (" + cls + " missing)", e);
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("creating the CUDA backend failed: " + c, c);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("creating the CUDA backend failed: " + e, e);
        }
    }
}
