package dev.sparkdit.usp.comm;

import dev.sparkdit.tensor.Arena;
import dev.sparkdit.tensor.DType;
import dev.sparkdit.tensor.Tensor;
import dev.sparkdit.usp.testing.HostFloats;
import dev.sparkdit.cpu.HostMemory;
import dev.sparkdit.usp.testing.Ranks;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GlooCommunicatorTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void collectives(int n) throws Exception {
        InProcessRendezvous rv = new InProcessRendezvous(TIMEOUT);
        List<String> ok = Ranks.run(n, 60, rank -> {
            try (HostMemory mem = new HostMemory("gloo-test", 1 << 20);
                 GlooCommunicator c = GlooCommunicator.create(rv, "world", rank, n, TIMEOUT)) {
                Arena a = mem.arena();
                assertEquals(rank, c.rank());
                assertEquals(n, c.size());

                // all-to-all: chunk i of rank r holds 100 r + 10 i + j
                Tensor send = a.allocate(DType.F32, n, 2);
                Tensor recv = a.allocate(DType.F32, n, 2);
                float[] s = new float[2 * n];
                for (int i = 0; i < n; i++) {
                    s[2 * i] = 100 * rank + 10 * i;
                    s[2 * i + 1] = 100 * rank + 10 * i + 1;
                }
                HostFloats.put(send, s);
                c.allToAll(send, recv);
                float[] r = HostFloats.get(recv);
                for (int j = 0; j < n; j++) {
                    assertEquals(100 * j + 10 * rank, r[2 * j]);
                    assertEquals(100 * j + 10 * rank + 1, r[2 * j + 1]);
                }

                // ring shift, twice around with the same buffers
                Tensor b0 = a.allocate(DType.F32, 3);
                Tensor b1 = a.allocate(DType.F32, 3);
                HostFloats.put(b0, new float[] {rank, rank, rank});
                for (int step = 1; step <= n; step++) {
                    Tensor from = step % 2 == 1 ? b0 : b1;
                    Tensor to = step % 2 == 1 ? b1 : b0;
                    c.sendRecv(from, (rank + 1) % n, to, (rank - 1 + n) % n);
                    assertEquals(((rank - step) % n + n) % n, HostFloats.get(to)[2]);
                }

                // all-gather
                Tensor one = a.allocate(DType.F32, 2);
                Tensor all = a.allocate(DType.F32, n, 2);
                HostFloats.put(one, new float[] {rank, -rank});
                c.allGather(one, all);
                float[] g = HostFloats.get(all);
                for (int i = 0; i < n; i++) {
                    assertEquals(i, g[2 * i]);
                    assertEquals(-i, g[2 * i + 1]);
                }

                // broadcast from the last rank
                Tensor buf = a.allocate(DType.F32, 4);
                HostFloats.put(buf, rank == n - 1 ? new float[] {7, 8, 9, 10} : new float[4]);
                c.broadcast(buf, n - 1);
                assertArrayEquals(new float[] {7, 8, 9, 10}, HostFloats.get(buf));

                c.barrier();
                assertEquals(0, c.unfinishedWork(), "every collective completed; none is kept");
                return "ok";
            }
        });
        assertEquals(n, ok.size());
    }

    @Test
    void abortMakesAWaitingPeerFailFastAndSayWhy() throws Exception {
        InProcessRendezvous rv = new InProcessRendezvous(TIMEOUT);
        List<Long> waited = Ranks.run(2, 60, rank -> {
            // never freed: rank 0's abandoned receive stays inside Gloo until its timeout (see GlooCommunicator)
            HostMemory mem = new HostMemory("gloo-abort", 1 << 16);
            try (GlooCommunicator c = GlooCommunicator.create(rv, "abort", rank, 2, TIMEOUT)) {
                c.barrier();
                if (rank == 1) {
                    Thread.sleep(200);
                    c.abort("rank 1 of 2 failed: boom");
                    c.abort("a later reason is not published"); // idempotent
                    assertTrue(c.isAborted());
                    assertThrows(CommunicationException.class, c::barrier);
                    return 0L;
                }
                Tensor t = mem.arena().allocate(DType.F32, 4);
                long start = System.nanoTime();
                CommunicationException e = assertThrows(CommunicationException.class,
                        () -> c.sendRecv(t, 1, t, 1));
                assertTrue(e.getMessage().contains("aborted"), e.getMessage());
                // The peer says which member aborted and why.
                assertTrue(e.getMessage().contains("rank 1 of group 'abort' aborted it (rank 1 of 2 failed: boom)"),
                        e.getMessage());
                // The abandoned send and receive stay referenced: Gloo may still use them until its timeout.
                assertEquals(2, c.unfinishedWork());
                return (System.nanoTime() - start) / 1_000_000;
            }
        });
        assertTrue(waited.get(0) < 5_000, "peer failed after " + waited.get(0) + " ms, timeout is 30 s");
    }

    @Test
    void anInterruptedRankAbortsItsGroup() throws Exception {
        InProcessRendezvous rv = new InProcessRendezvous(TIMEOUT);
        List<String> said = Ranks.run(2, 60, rank -> {
            HostMemory mem = new HostMemory("gloo-interrupt", 1 << 16); // never freed, as above
            try (GlooCommunicator c = GlooCommunicator.create(rv, "interrupt", rank, 2, TIMEOUT)) {
                c.barrier();
                Tensor t = mem.arena().allocate(DType.F32, 4);
                if (rank == 1) {
                    // Both wait for the other's broadcast (the roots differ), until rank 1's thread is interrupted.
                    Thread me = Thread.currentThread();
                    Thread interrupter = new Thread(() -> {
                        try {
                            Thread.sleep(200);
                        } catch (InterruptedException ignored) {
                            return;
                        }
                        me.interrupt();
                    });
                    interrupter.start();
                    CommunicationException e = assertThrows(CommunicationException.class, () -> c.broadcast(t, 0));
                    assertTrue(Thread.interrupted(), "the interrupt is kept");
                    return e.getMessage();
                }
                long start = System.nanoTime();
                CommunicationException e = assertThrows(CommunicationException.class, () -> c.broadcast(t, 1));
                assertTrue(System.nanoTime() - start < 5_000_000_000L, "rank 0 waited for the timeout");
                return e.getMessage();
            }
        });
        assertTrue(said.get(1).contains("interrupted in broadcast from root 0"), said.get(1));
        assertTrue(said.get(0).contains("rank 1 of group 'interrupt' aborted it (its thread was interrupted"),
                said.get(0));
    }
}
