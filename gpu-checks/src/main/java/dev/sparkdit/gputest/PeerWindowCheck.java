package dev.sparkdit.gputest;

import dev.sparkdit.cuda.CudaGraph;
import dev.sparkdit.cuda.CudaOps;
import dev.sparkdit.cuda.CudaPeerWindows;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;
import dev.sparkdit.usp.comm.InProcessRendezvous;
import dev.sparkdit.usp.comm.NcclCommunicator;
import dev.sparkdit.usp.comm.PeerWindow;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The peer window on {@code ranks} GPUs driven by threads of this process: each rank stores a row into
 * every rank's part, passes a barrier, reads its own part and passes a second barrier; first directly,
 * then from a captured CUDA graph replayed three times (the barrier's counters live in device memory, so
 * replays must keep pairing up). Each round sends different values, so a stale row or a barrier that lets
 * a rank through early shows as a wrong value.
 */
final class PeerWindowCheck implements GpuCheck {
    private static final int ROW = 64 * 1024; // floats per row: a copy of many blocks, not one
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final int ranks;

    PeerWindowCheck(int ranks) {
        this.ranks = ranks;
    }

    @Override
    public String name() {
        return String.format(Locale.ROOT, "peer window %d gpus: stores, barriers, graph replays", ranks);
    }

    @Override
    public void run() throws Exception {
        GpuFixture.close();
        InProcessRendezvous rv = new InProcessRendezvous(TIMEOUT);
        List<CudaPeerWindows> live = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(ranks);
        try {
            List<Future<Void>> f = new ArrayList<>();
            for (int r = 0; r < ranks; r++) {
                int rank = r;
                f.add(pool.submit(() -> {
                    rank(rank, rv, live);
                    return null;
                }));
            }
            for (Future<Void> x : f) {
                x.get(TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void rank(int me, InProcessRendezvous rv, List<CudaPeerWindows> live) {
        try (CudaOps ops = new CudaOps(me, 16L << 20);
             NcclCommunicator comm = NcclCommunicator.create(rv, "peer-window-check", me, ranks, me,
                     ops.stream().handle(), TIMEOUT);
             CudaPeerWindows windows = new CudaPeerWindows(ops, TIMEOUT)) {
            live.add(windows);
            try {
                PeerWindow w = windows.open(comm, 4L * ROW * ranks).orElseThrow(() -> new AssertionError(
                        "no peer window over " + ranks + " GPUs driven by one process"));
                Tensor send = ops.scratch().allocate(DType.F32, ranks, ROW); // row j goes to rank j
                Tensor got = ops.scratch().allocate(DType.F32, ranks, ROW);  // row i came from rank i
                Tensor toPeers = new Tensor(w.base() + 4L * me * ROW, ops.device(), DType.F32, new long[] {ranks, ROW},
                        new long[] {w.stride() / 4, 1});
                Tensor mine = new Tensor(w.local(), ops.device(), DType.F32, ranks, ROW);
                Runnable exchange = () -> {
                    ops.copy(toPeers, send);
                    w.barrier();
                    ops.copy(got, mine);
                    w.barrier();
                };
                CudaGraph graph = null;
                try {
                    for (int round = 0; round < 5; round++) {
                        ops.copyFromHost(send, rows(me, round), DType.F32);
                        if (round < 2) {
                            exchange.run();
                        } else {
                            if (graph == null) {
                                graph = CudaGraph.capture(ops.stream(), exchange);
                            }
                            graph.launch(ops.stream());
                        }
                        float[] g = ops.toFloatArray(got);
                        for (int i = 0; i < ranks; i++) {
                            float want = value(i, me, round);
                            for (int c = 0; c < ROW; c++) {
                                if (g[i * ROW + c] != want) {
                                    throw new AssertionError(String.format(Locale.ROOT,
                                            "rank %d round %d (%s): row from rank %d element %d is %s, expected %s",
                                            me, round, round < 2 ? "direct" : "graph", i, c, g[i * ROW + c], want));
                                }
                            }
                        }
                    }
                } finally {
                    if (graph != null) {
                        graph.close();
                    }
                }
            } catch (RuntimeException | Error e) {
                comm.abort();
                synchronized (live) {
                    for (CudaPeerWindows x : live) {
                        x.abort();
                    }
                }
                throw e;
            }
        }
    }

    /** What rank {@code from} sends rank {@code to} in {@code round}. */
    private static float value(int from, int to, int round) {
        return from * 1000 + to * 10 + round;
    }

    private ByteBuffer rows(int me, int round) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * ranks * ROW).order(ByteOrder.LITTLE_ENDIAN);
        for (int j = 0; j < ranks; j++) {
            for (int c = 0; c < ROW; c++) {
                b.putFloat(value(me, j, round));
            }
        }
        return b.flip();
    }
}
