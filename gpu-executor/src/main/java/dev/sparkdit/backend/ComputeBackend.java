package dev.sparkdit.backend;

import dev.sparkdit.ops.Ops;
import dev.sparkdit.tensor.Arena;
import dev.sparkdit.usp.comm.PeerWindows;

import java.time.Duration;
import java.util.Map;

/**
 * A device's compute and what it offers beyond its {@link Ops}: long-lived memory (weights, inputs,
 * outputs that outlive one step), communicators, peer windows, step graphs and device clocks. Code above a
 * backend asks it for these and never casts it: a backend that lacks one hands out its plain stand-in
 * ({@link PeerWindows#NONE}, steps that run eagerly). Arenas handed out are freed when the backend closes.
 */
public interface ComputeBackend extends AutoCloseable {
    /** The provider's name: {@code cpu} or {@code cuda}. */
    String name();

    /** The device for messages and result rows, e.g. {@code NVIDIA H200 (cuda:0)}. */
    String deviceName();

    Ops ops();

    /** Reserves {@code bytes} of this device's memory up front as a new arena. */
    Arena reserve(String name, long bytes);

    /**
     * Gives an arena {@link #reserve}d here back to the device before the backend closes (per-task buffers of a
     * backend that outlives its tasks). Tensors in it must no longer be used; an arena not reserved here is an error.
     */
    void release(Arena arena);

    /** Communicators on this device: Gloo on the CPU, NCCL on the backend's stream on CUDA. */
    CommunicatorFactory communicators();

    /**
     * Peer windows for a Ulysses group whose ranks are threads of one process on this kind of device, or
     * {@link PeerWindows#NONE}.
     *
     * @param timeout how long a window's barrier waits for a peer
     */
    PeerWindows peerWindows(Duration timeout);

    /** A new cache of captured steps (CUDA graphs), or one that runs each step as it comes (CPU). */
    StepGraphs stepGraphs();

    /** A clock point on this backend's stream (device events on CUDA), for timings. */
    DeviceEvent newEvent();

    /** Bytes of device memory in use now (all of it on a GPU, not only this process's arenas). */
    long memoryInUse();

    /** Backend-specific figures for reports and benchmarks (CUDA: the GEMM tuner's), as JSON-ready values. */
    Map<String, Object> diagnostics();

    @Override
    void close();
}
