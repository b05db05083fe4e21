package dev.sparkdit.job.spark;

import dev.sparkdit.backend.Backends;
import dev.sparkdit.config.Settings;
import dev.sparkdit.datasets.PromptDefaults;
import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.datasets.spark.CheckedPrompts;
import dev.sparkdit.datasets.spark.PromptTableReader;
import dev.sparkdit.datasets.spark.ResultTable;
import dev.sparkdit.job.group.GroupAssignment;
import dev.sparkdit.job.group.JobSettings;
import dev.sparkdit.options.RunOptions;
import dev.sparkdit.pipeline.PipelineConfig;
import dev.sparkdit.pipeline.PipelineSource;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import scala.Tuple2;
import scala.reflect.ClassTag$;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.apache.spark.sql.functions.callUDF;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.max;

/**
 * The driver of {@code sparkdit run}: validates the prompt table (bad rows to {@code rejects/} or a failed job),
 * gives every prompt a group and writes each group's list, runs one barrier stage of groups x ranks tasks that render
 * (ending in a shuffle, so that Spark retries a failed attempt, which skips what is done), reports progress while it
 * runs, and writes the result table through Spark's Parquet commit protocol.
 */
public final class SparkDitJob {
    private static final Pattern LOCAL = Pattern.compile("local\\[(\\d+|\\*)(?:,\\s*(\\d+))?]");

    /** The master meaning "local mode with a task slot per task" ({@link #master}); submit/sparkdit run's default. */
    public static final String AUTO_MASTER = "local[auto]";

    private SparkDitJob() {
    }

    /**
     * Runs the job; returns the exit status (0 every prompt ok, 1 some failed or were rejected). A session this call
     * starts is stopped at the end, whatever happens, so that executors and the UI shut down in order before the
     * driver exits; a session already running (a test's, a notebook's) is left running.
     */
    public static int run(JobRequest req, PrintStream log) throws IOException {
        long t0 = System.nanoTime();
        int tasks = req.groups() * req.ranksPerGroup();
        boolean own = SparkSession.getDefaultSession().isEmpty() && SparkSession.getActiveSession().isEmpty();
        SparkSession spark = session("SparkDiT " + req.model(), tasks);
        try {
            return run(req, log, spark, tasks, t0);
        } finally {
            if (own) {
                spark.stop();
            }
        }
    }

    private static int run(JobRequest req, PrintStream log, SparkSession spark, int tasks, long t0)
            throws IOException {
        SparkConf conf = spark.sparkContext().getConf();
        requireSlots(conf.get("spark.master", "local[*]"), tasks);
        boolean gpuResources = conf.contains("spark.task.resource.gpu.amount");
        RunOptions options = options(conf, req.flagOptions(), gpuResources);
        PipelineConfig model = PipelineSource.of(req.model()).config();
        PromptDefaults defaults = PromptDefaults.of(req.seed(), req.width(), req.height(),
                req.steps() != null ? req.steps() : model.usesGuidance() ? 28 : 4, req.guidance());
        JobPaths paths = JobPaths.of(req.output(), spark.sparkContext().hadoopConfiguration());
        FileSystem fs = HadoopFiles.fs(paths.rows(), paths.conf());
        // Finished rows only: a temporary file that a killed writer left is no finished prompt.
        long finishedBefore = HadoopFiles.countFinished(fs, paths.rows());
        if (finishedBefore > 0 && !req.resume()) {
            throw new IllegalArgumentException("output " + req.output() + " already holds " + finishedBefore
                    + " finished prompts of an earlier run: pass --resume to continue it, or choose another --output");
        }

        CheckedPrompts checked = PromptTableReader.read(spark, req.prompts(), defaults, req.onBadRow());
        Dataset<Row> requests = checked.requests();
        if (req.limit() > 0) {
            requests = requests.orderBy(col("prompt_id")).limit(req.limit());
        }
        requests = requests.persist();
        checked.rejects().write().mode(SaveMode.Overwrite).parquet(paths.rejects().toString());
        long rejected = spark.read().parquet(paths.rejects().toString()).count();
        Row stats = requests.agg(count(col("prompt_id")), max(col("width")), max(col("height")), max(col("steps")))
                .first();
        long total = stats.getLong(0);
        log.printf(Locale.ROOT, "sparkdit run: %d prompts%s (%d rejected) from %s; %d group(s) of %d rank(s), %s, %s%n",
                total, req.limit() > 0 ? " (--limit " + req.limit() + ": the first by prompt_id)" : "", rejected,
                req.prompts(), req.groups(), req.ranksPerGroup(), model.name(), options.backend());
        if (total == 0) {
            ResultTable.toDataFrame(spark, new ArrayList<ResultRow>()).write().mode(SaveMode.Overwrite)
                    .parquet(paths.results().toString());
            log.printf("sparkdit run: nothing to render; results in %s, rejects in %s%n", paths.results(),
                    paths.rejects());
            return rejected > 0 ? 1 : 0;
        }
        JobSettings settings = new JobSettings(req.model(), options.toMap(), req.groups(), req.ulysses(), req.ring(),
                stats.getInt(1), stats.getInt(2), stats.getInt(3), req.maxSequenceLength(), req.fault());

        int groups = req.groups();
        spark.udf().register("sparkdit_group", (UDF1<String, Integer>) id -> GroupAssignment.groupOf(id, groups),
                DataTypes.IntegerType);
        requests.withColumn("group", callUDF("sparkdit_group", col("prompt_id"))).write().mode(SaveMode.Overwrite)
                .partitionBy("group").json(paths.work().toString());
        requests.unpersist();

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Integer> seeds = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            seeds.add(i);
        }
        JavaRDD<Integer> slots = jsc.parallelize(seeds, tasks);
        RDD<ResultRow> rendered = slots.rdd().barrier().mapPartitions(new BarrierRenderTask(settings, paths,
                gpuResources), false, ClassTag$.MODULE$.apply(ResultRow.class));
        // The shuffle after the barrier stage makes it a map stage, which Spark retries on failure (a failed
        // barrier result stage would be aborted instead).
        JavaRDD<ResultRow> rows = rendered.toJavaRDD().mapToPair(r -> new Tuple2<>(r.promptId(), r))
                .repartition(Math.max(1, groups)).values();
        TaskFailures failures = new TaskFailures(log, spark.sparkContext().getConf()
                .getInt("spark.stage.maxConsecutiveAttempts", TaskFailures.DEFAULT_MAX_ATTEMPTS));
        spark.sparkContext().addSparkListener(failures);
        try (DriverProgress progress = new DriverProgress(paths, total, finishedBefore, 5000, log).start()) {
            ResultTable.toDataFrame(spark, rows).write().mode(SaveMode.Overwrite).parquet(paths.results().toString());
        } catch (Exception e) { // SparkException is checked, and Scala throws it undeclared
            // Spark's message is the whole task stack trace; say in one line what failed, and keep it as the cause.
            String failed = failures.last();
            throw new IllegalStateException("the render failed" + (failed != null ? "; the last task failure: "
                    + failed : ": " + firstLine(e)) + ". Images and rows of the"
                    + " prompts finished so far are kept: run again with --resume to render the rest", e);
        } finally {
            spark.sparkContext().removeSparkListener(failures);
        }
        // Every task has ended: a file still named temporary is one whose writer was killed mid-write (an executor,
        // or an earlier run's driver with its local-mode tasks), and its prompt was rendered again since.
        int leftovers = 0;
        for (org.apache.hadoop.fs.Path dir : List.of(paths.images(), paths.rows(), paths.progress())) {
            leftovers += HadoopFiles.deleteTemporary(HadoopFiles.fs(dir, paths.conf()), dir);
        }
        if (leftovers > 0) {
            log.printf("sparkdit run: removed %d temporary file(s) that killed writers left%n", leftovers);
        }
        Dataset<Row> results = spark.read().parquet(paths.results().toString());
        long ok = results.filter(col("status").equalTo("ok")).count();
        long failed = results.count() - ok;
        double seconds = (System.nanoTime() - t0) / 1e9;
        long renderedNow = Math.max(0, ok - finishedBefore);
        log.printf(Locale.ROOT, "sparkdit run: done: %d of %d prompts ok (%d rendered now, %d from earlier runs), %d"
                        + " failed, %d rejected; %.1f s, %.2f images/s; images in %s, results in %s, rejects in %s%n",
                ok, total, renderedNow, ok - renderedNow, failed, rejected, seconds, renderedNow / seconds,
                paths.images(), paths.results(), paths.rejects());
        return failed == 0 && rejected == 0 ? 0 : 1;
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.strip().lines().findFirst().orElse(m);
    }

    /**
     * The session: the running one if there is one (tests), else a new one on the configured master, where no master
     * or {@value #AUTO_MASTER} (what {@code submit/sparkdit run} passes when none is named) is {@link #master local
     * mode with a slot per task}, bound to the loopback interface.
     */
    static SparkSession session(String appName, int tasks) {
        SparkSession.Builder builder = SparkSession.builder().appName(appName);
        if (SparkSession.getDefaultSession().isEmpty() && SparkSession.getActiveSession().isEmpty()) {
            SparkConf configured = new SparkConf(); // spark.* system properties: what spark-submit set
            String given = configured.contains("spark.master") ? configured.get("spark.master") : null;
            String chosen = master(given, tasks);
            if (!chosen.equals(given)) {
                builder.master(chosen);
                for (String key : List.of("spark.driver.host", "spark.driver.bindAddress")) {
                    if (!configured.contains(key)) {
                        builder.config(key, "127.0.0.1");
                    }
                }
            }
        }
        return builder.getOrCreate();
    }

    /**
     * The master to run on: the given one, or, when none is given or it is {@value #AUTO_MASTER}, local mode with one
     * task slot per task of the barrier stage (groups x gpus-per-group) whatever the machine's core count (a barrier
     * stage refuses to start with fewer slots than tasks) and 4 attempts per task, so that a failed barrier attempt
     * is retried as on a cluster.
     */
    static String master(String given, int tasks) {
        if (given == null || given.isBlank() || given.replace(" ", "").equalsIgnoreCase(AUTO_MASTER)) {
            return "local[" + tasks + ",4]";
        }
        return given;
    }

    /** A local master must have a slot for every task of the barrier stage, or Spark refuses to start it. */
    static void requireSlots(String master, int tasks) {
        Matcher m = LOCAL.matcher(master.replace(" ", ""));
        if (master.equals("local")) {
            m = LOCAL.matcher("local[1]");
        }
        if (m.matches() && !m.group(1).equals("*") && Integer.parseInt(m.group(1)) < tasks) {
            throw new IllegalArgumentException("the barrier stage has " + tasks + " tasks (groups x gpus-per-group)"
                    + " but master " + master + " has " + m.group(1) + " task slots; use local[" + tasks + ",4] (or "
                    + AUTO_MASTER + ", or no master) or fewer groups");
        }
        if (m.matches() && m.group(1).equals("*") && Runtime.getRuntime().availableProcessors() < tasks) {
            throw new IllegalArgumentException("the barrier stage has " + tasks + " tasks but master " + master
                    + " has " + Runtime.getRuntime().availableProcessors() + " task slots (cores); use local[" + tasks
                    + ",4]");
        }
    }

    /**
     * The run options: {@code spark.sparkdit.*} from the Spark configuration, then the command line's flags on top.
     * {@code auto} is resolved here, once, so that every task uses the same backend: cuda when tasks get GPUs, else
     * what this driver can run.
     */
    static RunOptions options(SparkConf conf, Map<String, String> flags, boolean gpuResources) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Tuple2<String, String> e : conf.getAll()) {
            if (e._1().startsWith("spark." + Settings.PREFIX)) {
                m.put(e._1().substring("spark.".length()), e._2());
            }
        }
        m.putAll(flags);
        RunOptions o = RunOptions.from(m);
        if (o.backend().equals("auto")) {
            o = o.withBackend(gpuResources ? "cuda" : Backends.choose("auto").name());
        }
        return o;
    }
}
