package dev.sparkdit.job.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A Spark standalone cluster on 127.0.0.1: a Master and one Worker, each its own JVM from the test class path,
 * the Worker's executors JVMs of their own under it (class path from the fake SPARK_HOME's {@code jars/} and
 * {@code spark.executor.extraClassPath}). {@link #close()} kills all of them.
 */
public final class StandaloneCluster implements AutoCloseable {
    private final ChildJvm master;
    private final ChildJvm worker;
    private final String url;

    private StandaloneCluster(ChildJvm master, ChildJvm worker, String url) {
        this.master = master;
        this.worker = worker;
        this.url = url;
    }

    /**
     * Starts the Master, then a Worker with {@code cores} cores and {@code memoryMb} MB for executors, and waits
     * until the Master has registered the Worker.
     */
    public static StandaloneCluster start(Path sparkHome, Path logDir, int cores, int memoryMb) throws IOException,
            InterruptedException {
        int port = Ports.free();
        int webUi = Ports.free();
        String url = "spark://127.0.0.1:" + port;
        ChildJvm master = ChildJvm.start("master", sparkHome, logDir, List.of("-Xmx256m"),
                "org.apache.spark.deploy.master.Master", List.of("--host", "127.0.0.1", "--port",
                        Integer.toString(port), "--webui-port", Integer.toString(webUi)), Map.of());
        ChildJvm worker = null;
        try {
            Ports.awaitListening(port, master, Duration.ofSeconds(60));
            worker = ChildJvm.start("worker", sparkHome, logDir, List.of("-Xmx256m"),
                    "org.apache.spark.deploy.worker.Worker", List.of("--host", "127.0.0.1",
                            "--webui-port", Integer.toString(Ports.free()), "--cores", Integer.toString(cores),
                            "--memory", memoryMb + "m", "--work-dir", sparkHome.resolve("work").toString(), url),
                    Map.of());
            awaitWorker(webUi, master, worker, Duration.ofSeconds(60));
            return new StandaloneCluster(master, worker, url);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (worker != null) {
                worker.close();
            }
            master.close();
            throw e;
        }
    }

    /** Waits until the Master's status page ({@code /json/}, on its web UI port) counts one alive worker. */
    private static void awaitWorker(int webUi, ChildJvm master, ChildJvm worker, Duration timeout)
            throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest status = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webUi + "/json/"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "(no answer)";
        while (System.nanoTime() < deadline) {
            for (ChildJvm p : List.of(master, worker)) {
                if (!p.isAlive()) {
                    throw new IllegalStateException(p.name() + " ended:\n" + p.logTail());
                }
            }
            try {
                last = http.send(status, HttpResponse.BodyHandlers.ofString()).body();
                if (last.replace(" ", "").contains("\"aliveworkers\":1")) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("no worker registered with the master in " + timeout + "; status: " + last
                + "\n" + worker.logTail());
    }

    /** {@code spark://127.0.0.1:PORT}. */
    public String url() {
        return url;
    }

    /** The Worker's JVM: its descendants are the executors. */
    public ChildJvm worker() {
        return worker;
    }

    /** The executor JVMs running now. */
    public List<ProcessHandle> executors() {
        return ExecutorProcesses.under(worker.handle());
    }

    @Override
    public void close() {
        worker.close();
        master.close();
    }
}
