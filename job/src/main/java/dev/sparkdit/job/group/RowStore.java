package dev.sparkdit.job.group;

import dev.sparkdit.datasets.ResultRow;

import java.io.IOException;

/**
 * The result row of each finished prompt, stored beside its image as soon as the image is in place: a prompt is done
 * exactly when its row is here. A retried task or a resumed run re-emits these rows instead of rendering again, so
 * every prompt ends with one row however often its group failed.
 */
public interface RowStore {
    boolean has(String rowName) throws IOException;

    ResultRow read(String rowName) throws IOException;

    /** Writes the row atomically (temporary name, then rename). */
    void write(String rowName, ResultRow row) throws IOException;
}
