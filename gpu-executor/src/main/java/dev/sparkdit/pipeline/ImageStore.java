package dev.sparkdit.pipeline;

import java.io.IOException;

/**
 * Where finished images go: a local folder ({@link LocalImageStore}), or in the Spark job any Hadoop file system
 * (HDFS, S3A). A write is atomic: the name holds the whole image or nothing.
 */
public interface ImageStore {
    /** Writes {@code png} under {@code fileName} (a plain name, no folders) and returns where it is, as a URI. */
    String write(String fileName, byte[] png) throws IOException;

    /** Whether an image of that name is already there (a retried or resumed run skips it). */
    boolean exists(String fileName) throws IOException;
}
