package dev.sparkdit.cli;

import picocli.CommandLine.Option;

/** {@code --ranks N --ulysses U --ring R}: how many ranks share one image, and how (U x R = N). */
public final class ParallelMixin {
    @Option(names = "--ranks", paramLabel = "N", defaultValue = "1",
            description = "ranks sharing one image's sequence (default: ${DEFAULT-VALUE})")
    int ranks;

    @Option(names = "--ulysses", paramLabel = "U",
            description = "Ulysses degree (default: N, or 1 when --ring is given)")
    Integer ulysses;

    @Option(names = "--ring", paramLabel = "R", description = "Ring degree (default: N / U)")
    Integer ring;

    /** The checked layout; errors name the flag and its value. */
    public Layout layout() {
        if (ranks < 1) {
            throw new UsageException("--ranks must be >= 1, got " + ranks);
        }
        if (ulysses != null && ulysses < 1) {
            throw new UsageException("--ulysses must be >= 1, got " + ulysses);
        }
        if (ring != null && ring < 1) {
            throw new UsageException("--ring must be >= 1, got " + ring);
        }
        int u = ulysses != null ? ulysses : ring == null ? ranks : 1;
        int r = ring != null ? ring : Math.max(1, ranks / u);
        if (u * r != ranks) {
            throw new UsageException("--ulysses " + u + " x --ring " + r + " = " + (u * r) + " ranks, but --ranks is "
                    + ranks);
        }
        return new Layout(ranks, u, r);
    }

    /** A checked {@code ranks = ulysses x ring}. */
    public record Layout(int ranks, int ulysses, int ring) {
        public String label() {
            return ranks == 1 ? "1 rank" : "ulysses " + ulysses + " x ring " + ring;
        }
    }
}
