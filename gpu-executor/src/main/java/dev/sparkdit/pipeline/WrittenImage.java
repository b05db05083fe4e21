package dev.sparkdit.pipeline;

/** An image on its way out, done: where it went and the render's complete timings (write and total included). */
public record WrittenImage(RenderedImage image, String uri, RenderTimings timings) {
}
