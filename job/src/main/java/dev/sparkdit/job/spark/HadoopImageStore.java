package dev.sparkdit.job.spark;

import dev.sparkdit.pipeline.ImageStore;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;

/** Images into {@code <output>/images} on any Hadoop file system, atomically. */
final class HadoopImageStore implements ImageStore {
    private final FileSystem fs;
    private final Path folder;

    HadoopImageStore(Path folder, Configuration conf) throws IOException {
        this.fs = HadoopFiles.fs(folder, conf);
        this.folder = folder;
        fs.mkdirs(folder);
    }

    @Override
    public String write(String fileName, byte[] png) throws IOException {
        Path target = new Path(folder, fileName);
        HadoopFiles.writeAtomically(fs, target, png);
        return fs.makeQualified(target).toUri().toString();
    }

    @Override
    public boolean exists(String fileName) throws IOException {
        return fs.exists(new Path(folder, fileName));
    }
}
