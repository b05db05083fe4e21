package dev.sparkdit.job.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The output folder's layout, and the driver's Hadoop settings shipped to the tasks (executors then reach the same
 * file systems with the same credentials):
 * <pre>
 *   images/              one PNG per prompt, named from the prompt id (ImageNames)
 *   results/             the result table (Parquet, written through Spark's commit protocol)
 *   rejects/             rows that failed validation, with the reason (Parquet)
 *   _rows/               one result-row sidecar per finished prompt: what retries and --resume skip
 *   _work/requests/      the validated prompts, by group (JSON lines, partitioned group=G)
 *   _progress/           each group's counts, rewritten by its lead while the stage runs
 * </pre>
 */
public record JobPaths(String output, Map<String, String> hadoop) implements Serializable {
    private static final long serialVersionUID = 1L;

    public JobPaths {
        hadoop = new LinkedHashMap<>(hadoop);
    }

    public static JobPaths of(String output, Configuration conf) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : conf) {
            m.put(e.getKey(), e.getValue());
        }
        return new JobPaths(output, m);
    }

    public Configuration conf() {
        Configuration c = new Configuration(false);
        hadoop.forEach(c::set);
        return c;
    }

    public Path images() {
        return new Path(output, "images");
    }

    public Path results() {
        return new Path(output, "results");
    }

    public Path rejects() {
        return new Path(output, "rejects");
    }

    public Path rows() {
        return new Path(output, "_rows");
    }

    public Path work() {
        return new Path(output, "_work/requests");
    }

    public Path workOf(int group) {
        return new Path(work(), "group=" + group);
    }

    public Path progress() {
        return new Path(output, "_progress");
    }
}
