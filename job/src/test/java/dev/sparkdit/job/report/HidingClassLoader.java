package dev.sparkdit.job.report;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * Defines every class itself from the test's class path, and cannot find those whose names start with one of its
 * prefixes, not even through the JDK's own loaders: code it loads sees a runtime without them (no Spark, or a jlink'd
 * runtime without {@code java.desktop}).
 */
final class HidingClassLoader extends ClassLoader {
    private final ClassLoader source = HidingClassLoader.class.getClassLoader();
    private final List<String> hidden;

    HidingClassLoader(String name, List<String> hidden) {
        super(name, ClassLoader.getPlatformClassLoader());
        this.hidden = List.copyOf(hidden);
    }

    boolean hidden(String className) {
        return hidden.stream().anyMatch(className::startsWith);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (hidden(name)) {
            throw new ClassNotFoundException(name + " (hidden by the " + getName() + " loader)");
        }
        return super.loadClass(name, resolve);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        try (InputStream in = source.getResourceAsStream(name.replace('.', '/') + ".class")) {
            if (in == null) {
                throw new ClassNotFoundException(name);
            }
            byte[] bytes = in.readAllBytes();
            return defineClass(name, bytes, 0, bytes.length);
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }

    @Override
    protected URL findResource(String name) {
        return hidden(name.replace('/', '.')) ? null : source.getResource(name);
    }

    @Override
    protected Enumeration<URL> findResources(String name) throws IOException {
        return hidden(name.replace('/', '.')) ? Collections.emptyEnumeration() : source.getResources(name);
    }
}
