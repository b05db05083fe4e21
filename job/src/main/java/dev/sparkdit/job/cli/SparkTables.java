package dev.sparkdit.job.cli;

import dev.sparkdit.datasets.spark.SyntheticPromptOptions;
import dev.sparkdit.datasets.spark.SyntheticPrompts;
import org.apache.spark.sql.SparkSession;

/** The Spark calls of the table commands, kept out of the command classes so those load without Spark. */
final class SparkTables {
    private SparkTables() {
    }

    static void makePrompts(long rows, String out, long seed, Integer width, Integer height, Integer steps,
                            boolean force) {
        SparkSession spark = SparkSession.builder().appName("SparkDiT make-prompts").getOrCreate();
        SyntheticPrompts.write(spark, new SyntheticPromptOptions(rows, out, seed, width, height, steps, force));
    }
}
