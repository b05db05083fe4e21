package dev.sparkdit.parity;

/** One output of one case compared with the reference implementation's output. */
public record ParityResult(String caseName, String output, String backend, String dtype, String parallel,
                           ErrorStats error, double tolerance) {
    public boolean passed() {
        return error.within(tolerance);
    }
}
