package dev.sparkdit.job.spark;

import dev.sparkdit.datasets.ResultJsonLines;
import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.job.group.RowStore;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Result-row sidecars in {@code <output>/_rows} on any Hadoop file system: a prompt is done when its row is here. */
final class HadoopRowStore implements RowStore {
    private final FileSystem fs;
    private final Path folder;

    HadoopRowStore(Path folder, Configuration conf) throws IOException {
        this.fs = HadoopFiles.fs(folder, conf);
        this.folder = folder;
        fs.mkdirs(folder);
    }

    @Override
    public boolean has(String rowName) throws IOException {
        return fs.exists(new Path(folder, rowName));
    }

    @Override
    public ResultRow read(String rowName) throws IOException {
        try (FSDataInputStream in = fs.open(new Path(folder, rowName))) {
            return ResultJsonLines.parseLine(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
        }
    }

    @Override
    public void write(String rowName, ResultRow row) throws IOException {
        HadoopFiles.writeAtomically(fs, new Path(folder, rowName),
                (ResultJsonLines.toLine(row) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
