package dev.sparkdit.job;

import dev.sparkdit.datasets.PromptRow;
import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.job.cluster.ChildJvm;
import dev.sparkdit.job.cluster.FakeGpuDiscovery;
import dev.sparkdit.job.cluster.FakeSparkHome;
import dev.sparkdit.job.cluster.JavaCppCache;
import dev.sparkdit.job.cluster.JobOutput;
import dev.sparkdit.job.cluster.SparkSubmitRun;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job on Spark's {@code local-cluster} (a Master and one Worker inside the driver, executors as their own JVMs)
 * with GPU resources from a fake discovery script: 4 GPUs, 2 groups x 2 ranks, one GPU per task. Every task must
 * get its own GPU address from Spark and the result rows must report them: each group's rows name its 2 GPUs,
 * and the groups' GPUs are the 4 addresses, each once. (One worker only: two in-process workers would each own
 * the same addresses.) The ranks compute on the CPU backend, as this machine has no GPU.
 */
class LocalClusterGpuTest {
    @TempDir
    Path tmp;

    @Test
    void everyTaskGetsItsOwnGpuAddressAndItsRowsReportIt() throws Exception {
        SparkSession spark = TestSpark.session();
        List<PromptRow> prompts = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            prompts.add(PromptRow.of("gpu-" + i, "a small red cube number " + i));
            ids.add("gpu-" + i);
        }
        Path table = LocalJobTest.promptTable(spark, tmp, prompts);
        Path out = tmp.resolve("out");
        Path logs = Path.of("target", "child-jvms", "LocalClusterGpuTest").toAbsolutePath();
        Path sparkHome = FakeSparkHome.create(logs.resolve("spark-home"));
        Path discovery = FakeGpuDiscovery.script(tmp, 4);
        JavaCppCache.fill();

        SparkSubmitRun run = new SparkSubmitRun("local-cluster[1,4,2048]", table, out, 2, 2)
                .conf("spark.executor.memory", "1g")
                .conf("spark.worker.resource.gpu.amount", "4")
                .conf("spark.worker.resource.gpu.discoveryScript", discovery.toString())
                .conf("spark.executor.resource.gpu.amount", "4")
                .conf("spark.task.resource.gpu.amount", "1");
        try (ChildJvm driver = run.start("driver", sparkHome, logs)) {
            int status = driver.await(Duration.ofMinutes(5));
            assertEquals(0, status, driver.summary());
            assertTrue(driver.log().contains("4 of 4 prompts ok (4 rendered now, 0 from earlier runs)"),
                    driver.summary());
        }

        List<ResultRow> rows = JobOutput.results(spark, out);
        Map<String, ResultRow> byId = JobOutput.assertEveryPromptOnceOk(rows, ids, out, SparkSubmitRun.SIZE);
        JobOutput.assertNoTemporaryFiles(out);
        Map<Integer, List<Integer>> gpusOfGroup = new HashMap<>();
        for (ResultRow r : byId.values()) {
            assertEquals(2, r.gpuIds().size(), "a group of 2 ranks holds 2 GPUs: " + r);
            List<Integer> before = gpusOfGroup.putIfAbsent(r.group(), r.gpuIds());
            assertTrue(before == null || before.equals(r.gpuIds()), "one group, one set of GPUs: " + rows);
        }
        assertEquals(Set.of(0, 1), gpusOfGroup.keySet(), "both groups rendered: " + rows);
        List<Integer> all = new ArrayList<>();
        gpusOfGroup.values().forEach(all::addAll);
        assertEquals(Set.of(0, 1, 2, 3), new HashSet<>(all), "the 4 fake GPUs: " + gpusOfGroup);
        assertEquals(4, all.size(), "no GPU address given to two tasks: " + gpusOfGroup);
    }
}
