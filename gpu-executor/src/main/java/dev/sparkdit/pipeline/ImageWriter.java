package dev.sparkdit.pipeline;

import dev.sparkdit.images.GenerationParameters;
import dev.sparkdit.images.PngWriter;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Encodes and writes finished images on a thread of its own, so that the GPU starts the next prompt meanwhile. The
 * queue holds at most {@value #QUEUE} images: a store slower than rendering makes {@link #submit} wait rather than
 * pile images up in memory. {@link #close} waits for every image handed over.
 */
public final class ImageWriter implements AutoCloseable {
    static final int QUEUE = 4;
    /** Seconds close() still waits for the writes handed over once its thread is interrupted. */
    static final int AFTER_INTERRUPT_S = 30;

    private final ImageStore store;
    private final String model;
    private final String version;
    private final ExecutorService thread;

    public ImageWriter(ImageStore store, String model, String version) {
        this.store = store;
        this.model = model;
        this.version = version;
        this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "sparkdit-image-writer");
            t.setDaemon(true);
            return t;
        }, (task, executor) -> {
            try {
                executor.getQueue().put(task);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.util.concurrent.RejectedExecutionException("interrupted while waiting to queue an image", e);
            }
        });
    }

    /**
     * Queues {@code image} to be written as {@code fileName}; the future completes with where it went and its full
     * timings, or exceptionally with the write's failure.
     */
    public CompletableFuture<WrittenImage> submit(RenderedImage image, String fileName) {
        return CompletableFuture.supplyAsync(() -> {
            long t0 = System.nanoTime();
            RenderRequest r = image.request();
            GenerationParameters params = new GenerationParameters(r.prompt(), r.seed(), r.steps(), r.guidance(),
                    r.width(), r.height(), model, version);
            try {
                byte[] png = PngWriter.encode(channelsFirst(image.rgb(), r.height(), r.width()), r.height(), r.width(),
                        params);
                String uri = store.write(fileName, png);
                long t1 = System.nanoTime();
                return new WrittenImage(image, uri, image.timings().withWrite((t1 - t0) / 1e6,
                        (t1 - image.startNanos()) / 1e6));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("writing image " + fileName + " for request " + r.id() + ": "
                        + dev.sparkdit.io.IoMessages.describe(e), e);
            }
        }, thread);
    }

    /** PngWriter takes {@code [3, H, W]}; the pipeline gives interleaved {@code [H, W, 3]}. */
    static float[] channelsFirst(float[] hwc, int h, int w) {
        float[] chw = new float[hwc.length];
        int plane = h * w;
        for (int i = 0; i < plane; i++) {
            chw[i] = hwc[3 * i];
            chw[plane + i] = hwc[3 * i + 1];
            chw[2 * plane + i] = hwc[3 * i + 2];
        }
        return chw;
    }

    /**
     * Waits for every queued image (at most 10 minutes), also when the calling thread is interrupted (Spark interrupts
     * a task it kills), then for at most {@value #AFTER_INTERRUPT_S} s more: the images handed over are rendered
     * already and writing them takes milliseconds, so a failed or killed run keeps them (and their rows) instead of
     * losing the work, while a store that hangs does not hold a killed task for long. The interrupt is kept for the
     * caller.
     */
    @Override
    public void close() {
        thread.shutdown();
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        try {
            while (true) {
                try {
                    if (thread.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        return;
                    }
                    thread.shutdownNow();
                    throw new IllegalStateException("image writes still running after " + (interrupted
                            ? AFTER_INTERRUPT_S + " s (the thread was interrupted)" : "10 minutes"));
                } catch (InterruptedException e) {
                    if (!interrupted) {
                        deadline = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(AFTER_INTERRUPT_S));
                    }
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
