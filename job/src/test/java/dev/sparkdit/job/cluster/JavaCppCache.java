package dev.sparkdit.job.cluster;

import org.bytedeco.javacpp.Loader;

/**
 * Fills JavaCPP's native-library cache (libtorch, about 445 MB) from the test JVM before executors start: executors
 * that unpack into the same empty cache folder at the same moment crash with SIGBUS, while reading a filled one is
 * safe. Child JVMs use the same default cache folder as this one.
 */
public final class JavaCppCache {
    private JavaCppCache() {
    }

    public static synchronized void fill() {
        try {
            Loader.load(Class.forName("org.bytedeco.pytorch.global.torch"));
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("libtorch is not on the test class path", e);
        }
    }
}
