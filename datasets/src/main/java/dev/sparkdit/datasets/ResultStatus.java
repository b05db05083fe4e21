package dev.sparkdit.datasets;

/** How rendering one prompt ended; {@link #wireName()} is what the tables hold. */
public enum ResultStatus {
    OK("ok"),
    FAILED("failed");

    private final String wireName;

    ResultStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The status a table's {@code status} value names. */
    public static ResultStatus fromWireName(String value) {
        for (ResultStatus s : values()) {
            if (s.wireName.equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("status must be \"ok\" or \"failed\", got " + Quote.of(value));
    }
}
