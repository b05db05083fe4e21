package dev.sparkdit.usp.comm;

import dev.sparkdit.usp.testing.Ranks;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RendezvousTest {
    private static final byte[] ID = {1, 2, 3, 4, 5, 6, 7, 8};

    @Test
    void inProcessHandsTheLeadersIdToEveryMember() throws Exception {
        InProcessRendezvous rv = new InProcessRendezvous(Duration.ofSeconds(10));
        List<byte[]> got = Ranks.run(3, 20, r -> rv.exchange("g", r, 3, () -> ID));
        for (byte[] b : got) {
            assertArrayEquals(ID, b);
        }
    }

    @Test
    void inProcessTimesOutNamingGroupAndRank() {
        InProcessRendezvous rv = new InProcessRendezvous(Duration.ofMillis(200));
        CommunicationException e = assertThrows(CommunicationException.class,
                () -> rv.exchange("lonely", 1, 2, () -> ID));
        assertTrue(e.getMessage().contains("rank 1 of group 'lonely'"), e.getMessage());
        assertTrue(e.getMessage().contains("waited"), e.getMessage());
    }

    @Test
    void tcpHandsTheLeadersIdToEveryProcess() throws Exception {
        try (TcpRendezvous server = TcpRendezvous.serve("127.0.0.1", 0, 0, Duration.ofSeconds(10))) {
            int port = server.port();
            List<byte[]> got = Ranks.run(3, 20, r -> {
                if (r == 0) {
                    return server.exchange("ulysses/0", 2, 3, () -> ID); // the server process need not lead
                }
                try (TcpRendezvous c = TcpRendezvous.connect("127.0.0.1", port, r, Duration.ofSeconds(10))) {
                    return c.exchange("ulysses/0", r == 1 ? 0 : 1, 3, () -> ID);
                }
            });
            for (byte[] b : got) {
                assertArrayEquals(ID, b);
            }
        }
    }

    @Test
    void tcpTimesOutNamingHostPortRank() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort(); // free now, and nobody serves there
        }
        try (TcpRendezvous c = TcpRendezvous.connect("127.0.0.1", port, 3, Duration.ofMillis(300))) {
            CommunicationException e = assertThrows(CommunicationException.class,
                    () -> c.exchange("g", 1, 2, () -> ID));
            assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
            assertTrue(e.getMessage().contains("rank 3"), e.getMessage());
            assertTrue(e.getMessage().contains(" s "), e.getMessage());
        }
    }
}
