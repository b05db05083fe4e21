package dev.sparkdit.datasets.spark;

/**
 * A table could not be read at all: the path is missing, it is not Parquet, or its schema lacks a
 * required column or has one of the wrong type. The message names the table, the path and the problem.
 */
public final class UnreadableTableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String path;

    /**
     * @param table   what the table is ("prompt table", "result table")
     * @param path    where it was read from
     * @param problem what is wrong, as one sentence
     */
    public UnreadableTableException(String table, String path, String problem, Throwable cause) {
        super("cannot read " + table + " at " + path + ": " + problem, cause);
        this.path = path;
    }

    public String path() {
        return path;
    }
}
