package dev.sparkdit.cli;

import dev.sparkdit.pipeline.RandomModel;
import dev.sparkdit.pipeline.RandomModelFolder;
import dev.sparkdit.safetensors.ShardedSafetensorsWriter;
import dev.sparkdit.tensor.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** {@code sparkdit make-random-model}: a FLUX.1 model folder of seeded random weights (docs/pipeline.md). */
@Command(name = "make-random-model", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a FLUX.1 model folder in the diffusers layout holding the seeded random weights of"
                + " random:PRESET, for 'render --model DIR' and 'load-model --model DIR'. dev and schnell are full size"
                + " (33 GB in bf16: the transformer 23.8 GB, T5-XXL 9.5 GB), to test loading real-size checkpoints;"
                + " tiny (6 MB) is a model folder for demos and tests. Progress per part on stderr; the folder, its"
                + " size and the time on stdout."})
public final class MakeRandomModelCommand implements CliCommand {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]i?b|b)?",
            Pattern.CASE_INSENSITIVE);
    /** Seconds between progress lines within one part. */
    private static final long PROGRESS_EVERY_NANOS = 5_000_000_000L;

    @Spec
    CommandSpec spec;

    @Option(names = "--preset", required = true, paramLabel = "dev|schnell|tiny",
            description = "the model: FLUX.1-dev or -schnell at full size, or the tiny test model")
    String preset;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the model folder to write (created)")
    Path out;

    @Option(names = "--seed", defaultValue = "" + RandomModel.DEFAULT_SEED,
            description = "weights seed; the default gives exactly the weights of random:PRESET"
                    + " (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--dtype", paramLabel = "bf16|f32", defaultValue = "bf16",
            description = "how the weights are stored (default: ${DEFAULT-VALUE}, as FLUX.1 ships them)")
    String dtype;

    @Option(names = "--force", description = "write into an existing non-empty folder, replacing the model's files"
            + " and leaving other files alone (default: refuse)")
    boolean force;

    @Option(names = "--max-shard-size", paramLabel = "SIZE", defaultValue = "5GB",
            description = "largest checkpoint file, in tensor bytes: 5GB, 500MB, 2GiB or a number of bytes; a larger"
                    + " part is split into shards with an index (default: ${DEFAULT-VALUE}, as transformers)")
    String maxShardSize;

    @Option(names = "--threads", paramLabel = "N",
            description = "threads making and writing the weights (default: the cores, at most 8)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        if (!RandomModel.PRESETS.contains(preset)) {
            throw new UsageException("--preset must be one of " + String.join(", ", RandomModel.PRESETS) + ", got '"
                    + preset + "'");
        }
        DType dt = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "bf16", "bfloat16" -> DType.BF16;
            case "f32", "fp32", "float32" -> DType.F32;
            default -> throw new UsageException("--dtype must be bf16 or f32, got '" + dtype + "'");
        };
        long shardBytes = parseSize(maxShardSize);
        int n = threads != null ? threads : RandomModelFolder.Options.DEFAULT.threads();
        if (n < 1) {
            throw new UsageException("--threads must be >= 1, got " + n);
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new UsageException(out + " exists and is not a folder");
        }
        if (!force && Files.isDirectory(out)) {
            try (Stream<Path> files = Files.list(out)) {
                if (files.findAny().isPresent()) {
                    throw new UsageException(out + " exists and is not empty; pass --force to write the model into it");
                }
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        long total = 0;
        List<RandomModelFolder.Part> parts = RandomModelFolder.parts(preset, seed, dt);
        for (RandomModelFolder.Part p : parts) {
            total += p.checkpoint().bytes();
        }
        err.printf(Locale.ROOT, "make-random-model: %s (seed %d, %s) into %s: %s of weights in %d parts, %d thread(s),"
                + " shards of at most %s%n", preset, seed, dt.name().toLowerCase(Locale.ROOT), out, gb(total),
                parts.size(), n, gb(shardBytes));
        long t0 = System.nanoTime();
        RandomModelFolder.write(out, preset, seed, dt, new RandomModelFolder.Options(shardBytes, n),
                new Progress(err));
        double seconds = (System.nanoTime() - t0) / 1e9;
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s: %s in %.1f s%n", out, gb(folderBytes(out)),
                seconds);
        return 0;
    }

    /** One line per part when it ends, and one every few seconds while a large one is written. */
    private static final class Progress implements RandomModelFolder.Progress {
        private final PrintWriter err;
        private long partStart;
        private long lastLine;

        Progress(PrintWriter err) {
            this.err = err;
        }

        @Override
        public synchronized void started(RandomModelFolder.Part part) {
            partStart = System.nanoTime();
            lastLine = partStart;
        }

        @Override
        public synchronized void written(RandomModelFolder.Part part, long bytes) {
            long now = System.nanoTime();
            if (now - lastLine >= PROGRESS_EVERY_NANOS) {
                lastLine = now;
                err.printf(Locale.ROOT, "make-random-model: %s %s of %s, %.0f MB/s%n", part.folder(), gb(bytes),
                        gb(part.checkpoint().bytes()), bytes / 1e6 / ((now - partStart) / 1e9));
                err.flush();
            }
        }

        @Override
        public synchronized void finished(RandomModelFolder.Part part, ShardedSafetensorsWriter.Written written,
                                          long nanos) {
            double s = nanos / 1e9;
            err.printf(Locale.ROOT, "make-random-model: %s: %s in %d file(s)%s, %.1f s, %.0f MB/s%n", part.folder(),
                    gb(written.tensorBytes()), written.files().size(), written.index() == null ? "" : " + index", s,
                    written.tensorBytes() / 1e6 / Math.max(s, 1e-9));
            err.flush();
        }
    }

    /** {@code 5GB} (10^9), {@code 2GiB} (2^30), {@code 500MB}, or bytes, as transformers' max_shard_size reads them. */
    static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new UsageException("--max-shard-size must be a size such as 5GB, 500MB, 2GiB or 1000000, got '"
                    + text + "'");
        }
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        double factor = switch (unit) {
            case "b" -> 1;
            case "kb" -> 1e3;
            case "mb" -> 1e6;
            case "gb" -> 1e9;
            case "tb" -> 1e12;
            case "kib" -> 0x1p10;
            case "mib" -> 0x1p20;
            case "gib" -> 0x1p30;
            default -> 0x1p40;
        };
        double bytes = Double.parseDouble(m.group(1)) * factor;
        if (bytes < 1 || bytes > Long.MAX_VALUE) {
            throw new UsageException("--max-shard-size must be at least 1 byte, got '" + text + "'");
        }
        return (long) bytes;
    }

    static String gb(long bytes) {
        return bytes >= 1e9 ? String.format(Locale.ROOT, "%.2f GB", bytes / 1e9)
                : String.format(Locale.ROOT, "%.2f MB", bytes / 1e6);
    }

    private static long folderBytes(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            long total = 0;
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }
}
