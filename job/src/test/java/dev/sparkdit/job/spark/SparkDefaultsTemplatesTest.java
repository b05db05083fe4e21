package dev.sparkdit.job.spark;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The spark-defaults templates in conf/, read as Spark reads a properties file: their spark.sparkdit.* settings are
 * run options the job accepts; none speculates; the cluster ones take one GPU per task from the discovery script,
 * keep their executors, and give every executor its own JavaCPP cache folder.
 */
class SparkDefaultsTemplatesTest {
    static final Path CONF = Path.of("..", "conf");

    static Properties load(String name) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(CONF.resolve(name), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }

    @Test
    void everyTemplatesSparkditSettingsAreRunOptions() throws IOException {
        for (String name : List.of("spark-defaults.local.conf", "spark-defaults.standalone.conf",
                "spark-defaults.k8s.conf")) {
            Properties p = load(name);
            assertEquals("false", p.getProperty("spark.speculation"), name);
            SparkConf conf = new SparkConf(false);
            p.stringPropertyNames().forEach(k -> conf.set(k, p.getProperty(k)));
            assertTrue(p.stringPropertyNames().stream().anyMatch(k -> k.startsWith("spark.sparkdit.")), name);
            SparkDitJob.options(conf, java.util.Map.of(), false); // throws on an unknown key or a bad value
        }
        assertFalse(load("spark-defaults.local.conf").containsKey("spark.master"),
                "the demo leaves the master to local[auto]");
    }

    @Test
    void clusterTemplatesGiveEachTaskAGpuAndEachExecutorItsOwnJavacppCache() throws IOException {
        for (String name : List.of("spark-defaults.standalone.conf", "spark-defaults.k8s.conf")) {
            Properties p = load(name);
            assertEquals("1", p.getProperty("spark.task.resource.gpu.amount"), name);
            assertTrue(p.getProperty("spark.executor.resource.gpu.discoveryScript").endsWith("/gpu-discovery.sh"),
                    name);
            assertEquals("false", p.getProperty("spark.dynamicAllocation.enabled"), name);
            assertEquals("cuda", p.getProperty("spark.sparkdit.backend"), name);
            String opts = p.getProperty("spark.executor.extraJavaOptions");
            assertTrue(opts.matches(".*-Dorg\\.bytedeco\\.javacpp\\.cachedir=\\S*\\{\\{APP_ID}}\\S*\\{\\{EXECUTOR_ID}}.*"),
                    name + ": " + opts);
        }
        assertEquals("nvidia.com", load("spark-defaults.k8s.conf").getProperty("spark.executor.resource.gpu.vendor"));
        assertTrue(load("spark-defaults.standalone.conf").getProperty("spark.worker.resource.gpu.discoveryScript")
                .endsWith("/gpu-discovery.sh"));
    }
}
