package dev.sparkdit.usp.comm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A rendezvous for ranks that are processes: one process (global rank 0 of the launcher) serves on
 * {@code host:port}, every process (the server's included) is a client. Plain Java sockets, so it
 * works on GPU boxes that carry no libtorch.
 *
 * <p>Protocol, one connection per request: the client writes {@code "PUT"|"GET"} and the group name
 * (modified UTF-8); a PUT follows with {@code int length, bytes} and is answered by one status byte;
 * a GET is answered, once the group's leader has put its id, by {@code int length, bytes}, or by
 * {@code -1} when the server's wait ran out. Clients retry connecting until their timeout, so the
 * server may start last.
 */
public final class TcpRendezvous implements Rendezvous {
    private static final int MAX_ID_BYTES = 1 << 16;

    private final String host;
    private final int processRank;
    private final Duration timeout;
    private final ServerSocket server;
    private final ExecutorService handlers;
    private final int port;
    private final Map<String, CompletableFuture<byte[]>> ids = new ConcurrentHashMap<>();

    private TcpRendezvous(String host, int port, int processRank, Duration timeout, boolean serve) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("rendezvous timeout must be > 0, got " + timeout);
        }
        this.host = host;
        this.processRank = processRank;
        this.timeout = timeout;
        if (serve) {
            try {
                server = new ServerSocket();
                server.setReuseAddress(true);
                server.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            } catch (IOException e) {
                throw new CommunicationException("rendezvous: rank " + processRank + " cannot serve on " + host
                        + ":" + port + ": " + e, e);
            }
            this.port = server.getLocalPort();
            handlers = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "tcp-rendezvous-" + this.port);
                t.setDaemon(true);
                return t;
            });
            handlers.execute(this::acceptLoop);
        } else {
            server = null;
            handlers = null;
            this.port = port;
        }
    }

    /** Serves on {@code host:port} (port 0 picks a free one, see {@link #port()}) and is a client too. */
    public static TcpRendezvous serve(String host, int port, int processRank, Duration timeout) {
        return new TcpRendezvous(host, port, processRank, timeout, true);
    }

    /** A client of the server at {@code host:port}. */
    public static TcpRendezvous connect(String host, int port, int processRank, Duration timeout) {
        return new TcpRendezvous(host, port, processRank, timeout, false);
    }

    public int port() {
        return port;
    }

    public String host() {
        return host;
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    @Override
    public byte[] exchange(String group, int rankInGroup, int groupSize, Supplier<byte[]> create) {
        if (rankInGroup < 0 || rankInGroup >= groupSize) {
            throw new IllegalArgumentException("rendezvous '" + group + "': rank " + rankInGroup
                    + " outside group of size " + groupSize);
        }
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        if (rankInGroup == 0) {
            byte[] id = create.get();
            if (id.length > MAX_ID_BYTES) {
                throw new IllegalArgumentException("rendezvous id of " + id.length + " bytes exceeds " + MAX_ID_BYTES);
            }
            request("PUT", group, id, start, deadline);
        }
        return request("GET", group, null, start, deadline);
    }

    private byte[] request(String op, String group, byte[] payload, long start, long deadline) {
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                int left = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                s.connect(new InetSocketAddress(host, port), Math.min(left, 5_000));
                s.setSoTimeout(left + 5_000);
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                DataInputStream in = new DataInputStream(s.getInputStream());
                out.writeUTF(op);
                out.writeUTF(group);
                if (payload != null) {
                    out.writeInt(payload.length);
                    out.write(payload);
                }
                out.flush();
                if (payload != null) {
                    int status = in.readUnsignedByte();
                    if (status != 0) {
                        throw failure(op, group, start, "server refused (status " + status
                                + "): the group already has a leader", null);
                    }
                    return null;
                }
                int n = in.readInt();
                if (n < 0) {
                    throw failure(op, group, start, "the group's leader never published its id", null);
                }
                byte[] id = new byte[n];
                in.readFully(id);
                return id;
            } catch (SocketTimeoutException e) {
                throw failure(op, group, start, "no answer from the server", e);
            } catch (IOException e) {
                last = e; // server not up yet, or restarting: retry until the deadline
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw failure(op, group, start, "interrupted", ie);
                }
            }
        }
        throw failure(op, group, start, "could not reach the server" + (last == null ? "" : ": " + last), last);
    }

    private CommunicationException failure(String op, String group, long start, String why, Throwable cause) {
        return new CommunicationException("rendezvous " + op + " of group '" + group + "' at " + host + ":" + port
                + " from rank " + processRank + " failed after " + InProcessRendezvous.seconds(start)
                + " s (timeout " + timeout.toSeconds() + " s): " + why, cause);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                handlers.execute(() -> handle(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void handle(Socket s) {
        try (s) {
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis() + 5_000));
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            String op = in.readUTF();
            String group = in.readUTF();
            CompletableFuture<byte[]> f = ids.computeIfAbsent(group, g -> new CompletableFuture<>());
            if (op.equals("PUT")) {
                int n = in.readInt();
                if (n < 0 || n > MAX_ID_BYTES) {
                    out.writeByte(2);
                    return;
                }
                byte[] id = new byte[n];
                in.readFully(id);
                out.writeByte(f.complete(id) ? 0 : 1);
            } else if (op.equals("GET")) {
                byte[] id;
                try {
                    id = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    out.writeInt(-1);
                    return;
                }
                out.writeInt(id.length);
                out.write(id);
            }
            out.flush();
        } catch (Exception e) {
            // the client sees a closed connection or its own timeout, and reports it
        }
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing
            }
            handlers.shutdownNow();
        }
    }
}
