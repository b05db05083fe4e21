package dev.sparkdit.job.spark;

import dev.sparkdit.job.group.GroupRenderer;
import dev.sparkdit.json.Json;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A group lead's progress, rewritten at most every {@value #INTERVAL_MS} ms (and at the end) into
 * {@code _progress/group-G.json}, which the driver reads while the stage runs: Spark reports a task only when it
 * ends, and a group's task runs for the whole stage.
 */
final class GroupProgressFile implements GroupRenderer.Progress {
    static final long INTERVAL_MS = 2000;

    private final FileSystem fs;
    private final Path file;
    private final int group;
    private final int attempt;
    private long lastWrite;

    GroupProgressFile(JobPaths paths, int group, int attempt) throws IOException {
        this.fs = HadoopFiles.fs(paths.progress(), paths.conf());
        this.file = new Path(paths.progress(), "group-" + group + ".json");
        this.group = group;
        this.attempt = attempt;
        fs.mkdirs(paths.progress());
    }

    @Override
    public synchronized void update(int done, int failed, int total) {
        long now = System.currentTimeMillis();
        if (done + failed < total && now - lastWrite < INTERVAL_MS) {
            return;
        }
        lastWrite = now;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("group", (long) group);
        m.put("attempt", (long) attempt);
        m.put("done", (long) done);
        m.put("failed", (long) failed);
        m.put("total", (long) total);
        m.put("updated_ms", now);
        try {
            HadoopFiles.writeAtomically(fs, file, Json.write(m).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // Progress is advisory: a failed write must not fail the render.
            System.err.println("sparkdit: group " + group + ": progress not written: " + e.getMessage());
        }
    }
}
