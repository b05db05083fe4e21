package dev.sparkdit.cuda;

import org.bytedeco.cuda.cudart.CUgraphExec_st;
import org.bytedeco.cuda.cudart.CUgraph_st;
import org.bytedeco.cuda.global.cudart;

/**
 * A CUDA graph captured from the work a {@link Runnable} enqueues on one stream
 * ({@code cudaStreamCaptureModeThreadLocal}: other threads may keep using CUDA meanwhile), then
 * instantiated; {@link #launch} replays it. Captured kernels keep the addresses and scalar arguments
 * they were launched with: values that change per replay must be read from device memory.
 */
public final class CudaGraph implements AutoCloseable {
    private CUgraph_st graph;
    private CUgraphExec_st exec;

    private CudaGraph(CUgraph_st graph, CUgraphExec_st exec) {
        this.graph = graph;
        this.exec = exec;
    }

    public static CudaGraph capture(CudaStream stream, Runnable work) {
        CudaCheck.cudart(cudart.cudaStreamBeginCapture(stream.handle(), cudart.cudaStreamCaptureModeThreadLocal),
                "cudaStreamBeginCapture", "mode", "cudaStreamCaptureModeThreadLocal");
        CUgraph_st g = new CUgraph_st();
        try {
            work.run();
        } catch (RuntimeException | Error e) {
            int s = cudart.cudaStreamEndCapture(stream.handle(), g);
            if (s == cudart.cudaSuccess && g.address() != 0) {
                cudart.cudaGraphDestroy(g);
            }
            throw e;
        }
        CudaCheck.cudart(cudart.cudaStreamEndCapture(stream.handle(), g), "cudaStreamEndCapture");
        CUgraphExec_st x = new CUgraphExec_st();
        int s = cudart.cudaGraphInstantiate(x, g, 0L);
        if (s != cudart.cudaSuccess) {
            cudart.cudaGraphDestroy(g);
            CudaCheck.cudart(s, "cudaGraphInstantiate", "flags", 0);
        }
        return new CudaGraph(g, x);
    }

    public void launch(CudaStream stream) {
        if (exec == null) {
            throw new IllegalStateException("graph is closed");
        }
        CudaCheck.cudart(cudart.cudaGraphLaunch(exec, stream.handle()), "cudaGraphLaunch");
    }

    @Override
    public void close() {
        if (exec != null) {
            CudaCheck.cudart(cudart.cudaGraphExecDestroy(exec), "cudaGraphExecDestroy");
            exec = null;
        }
        if (graph != null) {
            CudaCheck.cudart(cudart.cudaGraphDestroy(graph), "cudaGraphDestroy");
            graph = null;
        }
    }
}
