package dev.sparkdit.job.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A GPU discovery script for a machine without GPUs: it prints the resource JSON that Spark expects from
 * {@code spark.worker.resource.gpu.discoveryScript}, {@code {"name":"gpu","addresses":["0",...]}}.
 */
public final class FakeGpuDiscovery {
    private FakeGpuDiscovery() {
    }

    /** Writes an executable script that reports GPUs {@code 0 .. count-1}; returns its path. */
    public static Path script(Path dir, int count) throws IOException {
        String addresses = IntStream.range(0, count).mapToObj(i -> "\"" + i + "\"").collect(Collectors.joining(","));
        Path script = dir.resolve("fake-gpus.sh");
        Files.writeString(script, "#!/usr/bin/env bash\necho '{\"name\":\"gpu\",\"addresses\":[" + addresses
                + "]}'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
