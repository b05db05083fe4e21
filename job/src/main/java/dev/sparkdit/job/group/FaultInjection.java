package dev.sparkdit.job.group;

import dev.sparkdit.pipeline.RenderListener;
import dev.sparkdit.pipeline.RenderRequest;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * For tests only: a rank that fails on purpose, so that a test can check that its group fails fast and names it, and
 * that Spark's retry finishes the work. Given as {@code --inject-fault rank=R,prompt=P,step=S[,attempt=A][,kind=K]}
 * (hidden options of {@code run} and {@code render-group}) or passed in through {@link JobSettings}; nothing reads it
 * from the environment.
 *
 * @param rank    the rank (its index in the plan: group g's ranks are g*n .. g*n+n-1) that fails
 * @param prompt  which of the prompts this rank renders in the task (0 = the first it renders; skipped ones do not
 *                count)
 * @param step    after which denoising step (1 = the first) it fails
 * @param attempt the stage attempt it fails in ({@value #ANY_ATTEMPT}: every attempt); render-group is attempt 0
 * @param kind    throw, or halt the rank's process
 */
public record FaultInjection(int rank, int prompt, int step, int attempt, Kind kind) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** {@link #attempt} for a fault in every attempt. */
    public static final int ANY_ATTEMPT = -1;

    /** What the rank does: throw (the rank fails, its process lives on), or halt its whole process at once. */
    public enum Kind {
        /** Throws {@link InjectedFault}. */
        THROW,
        /**
         * {@code Runtime.halt(137)}, as if killed with SIGKILL: only for ranks that are processes of their own
         * ({@code render-group --processes}); in threads or Spark's local mode it ends the test's JVM.
         */
        HALT
    }

    public FaultInjection {
        if (rank < 0 || prompt < 0 || step < 1 || attempt < ANY_ATTEMPT || kind == null) {
            throw new IllegalArgumentException("fault injection: rank " + rank + " and prompt " + prompt
                    + " must be >= 0, step " + step + " >= 1, attempt " + attempt + " >= 0 (or absent: every attempt),"
                    + " kind " + kind + " throw or halt");
        }
    }

    /** A fault that throws. */
    public FaultInjection(int rank, int prompt, int step, int attempt) {
        this(rank, prompt, step, attempt, Kind.THROW);
    }

    /** What the rank throws. */
    public static final class InjectedFault extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFault(String message) {
            super(message);
        }
    }

    /** {@code rank=R,prompt=P,step=S[,attempt=A][,kind=throw|halt]}; a bad spec throws naming it. */
    public static FaultInjection parse(String spec) {
        Map<String, Integer> m = new HashMap<>();
        Kind kind = Kind.THROW;
        try {
            for (String part : spec.split(",")) {
                String[] kv = part.split("=", 2);
                String key = kv[0].strip().toLowerCase(Locale.ROOT);
                if (kv.length == 2 && key.equals("kind") && !m.containsKey("kind")) {
                    kind = Kind.valueOf(kv[1].strip().toUpperCase(Locale.ROOT));
                    m.put("kind", 0);
                } else if (kv.length != 2 || !java.util.Set.of("rank", "prompt", "step", "attempt").contains(key)
                        || m.put(key, Integer.parseInt(kv[1].strip())) != null) {
                    throw new IllegalArgumentException("'" + part + "'");
                }
            }
            if (!m.containsKey("rank") || !m.containsKey("prompt") || !m.containsKey("step")) {
                throw new IllegalArgumentException("rank, prompt and step are required");
            }
            return new FaultInjection(m.get("rank"), m.get("prompt"), m.get("step"), m.getOrDefault("attempt",
                    ANY_ATTEMPT), kind);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fault injection '" + spec + "' is not"
                    + " rank=R,prompt=P,step=S[,attempt=A][,kind=throw|halt]: " + e.getMessage(), e);
        }
    }

    /** The spec {@link #parse} reads. */
    public String spec() {
        return "rank=" + rank + ",prompt=" + prompt + ",step=" + step + (attempt == ANY_ATTEMPT ? "" : ",attempt="
                + attempt) + (kind == Kind.THROW ? "" : ",kind=" + kind.name().toLowerCase(Locale.ROOT));
    }

    /**
     * {@code inner}, throwing {@link InjectedFault} after step {@link #step} on this rank when the fault is for it:
     * its rank, the prompt it renders as its {@code promptIndex}-th and the stage attempt.
     */
    public RenderListener around(RenderListener inner, int worldRank, int promptIndex, int stageAttempt) {
        if (worldRank != rank || promptIndex != prompt || (attempt != ANY_ATTEMPT && attempt != stageAttempt)) {
            return inner;
        }
        return new RenderListener() {
            @Override
            public void stepDone(RenderRequest request, int s, int steps, double ms) {
                inner.stepDone(request, s, steps, ms);
            }

            @Override
            public void rankStepDone(RenderRequest request, int s, int steps) {
                inner.rankStepDone(request, s, steps);
                if (s == step && kind == Kind.HALT) {
                    System.err.printf(Locale.ROOT, "injected fault (%s): rank %d halts its process after step %d"
                            + " of prompt '%s'%n", spec(), rank, s, request.id());
                    System.err.flush();
                    Runtime.getRuntime().halt(137);
                }
                if (s == step) {
                    throw new InjectedFault(String.format(Locale.ROOT, "injected fault (%s): rank %d threw after"
                            + " step %d of %d of prompt '%s', its prompt %d in stage attempt %d", spec(), rank, s,
                            steps, request.id(), promptIndex, stageAttempt));
                }
            }
        };
    }
}
