package dev.sparkdit.job.report;

/**
 * One result table to report on and the name its run gets on the page.
 *
 * @param path  a Parquet folder, file or glob (any file system Hadoop knows), or a JSON-lines file or folder of them
 * @param label the run's name
 */
public record ResultInput(String path, String label) {

    public ResultInput {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("a result table path must not be blank");
        }
        if (label == null || label.isBlank()) {
            throw new IllegalArgumentException("the label of " + path + " must not be blank");
        }
    }

    /**
     * The label a path gets by default: its last name ({@code /runs/8-gpus/results/} gives {@code results},
     * {@code s3a://b/run-2} gives {@code run-2}), or the whole path when it has none.
     */
    public static String defaultLabel(String path) {
        String p = path.strip();
        while (p.length() > 1 && (p.endsWith("/") || p.endsWith("\\"))) {
            p = p.substring(0, p.length() - 1);
        }
        int cut = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
        String name = cut >= 0 ? p.substring(cut + 1) : p;
        return name.isBlank() ? path : name;
    }
}
