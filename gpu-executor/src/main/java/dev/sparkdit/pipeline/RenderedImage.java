package dev.sparkdit.pipeline;

/**
 * What a render gives its group's lead rank: the image ({@code [height, width, 3]} interleaved RGB in [0, 1], as a
 * PNG holds it), the tokens the prompts lost to truncation, and the timings so far (the write is not done yet).
 */
public record RenderedImage(RenderRequest request, float[] rgb, int clipTokensTruncated, int t5TokensTruncated,
                            RenderTimings timings, long startNanos) {
}
