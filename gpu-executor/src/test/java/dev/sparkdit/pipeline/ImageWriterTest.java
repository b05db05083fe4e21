package dev.sparkdit.pipeline;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageWriterTest {
    /** Spark interrupts a task it kills: the images already handed to the writer are still written. */
    @Test
    void closeFinishesTheImagesHandedOverWhenItsThreadIsInterrupted() {
        List<String> written = Collections.synchronizedList(new ArrayList<>());
        ImageStore slow = new ImageStore() {
            @Override
            public String write(String fileName, byte[] png) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    throw new IllegalStateException("the writer thread was interrupted", e);
                }
                written.add(fileName);
                return "mem:" + fileName;
            }

            @Override
            public boolean exists(String fileName) {
                return written.contains(fileName);
            }
        };
        ImageWriter writer = new ImageWriter(slow, "test", "test");
        for (int i = 0; i < 3; i++) {
            RenderRequest r = new RenderRequest("p-" + i, "a prompt", null, i, 16, 16, 1, 3.5);
            writer.submit(new RenderedImage(r, new float[16 * 16 * 3], 0, 0,
                    new RenderTimings(0, 0, new double[] {1}, 1, 1, 0, 0), System.nanoTime()), "p-" + i + ".png");
        }
        Thread.currentThread().interrupt();
        try {
            writer.close();
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
        } finally {
            Thread.interrupted();
        }
        assertEquals(List.of("p-0.png", "p-1.png", "p-2.png"), written);
    }
}
