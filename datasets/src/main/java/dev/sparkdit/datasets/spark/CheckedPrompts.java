package dev.sparkdit.datasets.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A prompt table after validation. Both are lazy and share one validation plan; a job that uses both
 * (writes the rejects, renders the requests) may {@code persist()} them to validate once.
 *
 * @param requests rows ready to render, in {@link RequestTable#SCHEMA}
 * @param rejects  rows that failed, in {@link RejectTable#SCHEMA}
 */
public record CheckedPrompts(Dataset<Row> requests, Dataset<Row> rejects) {

    public CheckedPrompts {
        if (requests == null || rejects == null) {
            throw new IllegalArgumentException("requests and rejects must both be given");
        }
    }
}
