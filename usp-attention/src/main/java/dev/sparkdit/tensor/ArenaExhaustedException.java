package dev.sparkdit.tensor;

/** An arena was asked for more memory than it has left; sizes are in bytes. */
public final class ArenaExhaustedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ArenaExhaustedException(String arena, long requested, long used, long capacity) {
        super("arena '" + arena + "' exhausted: requested " + requested + " bytes with " + used + " of "
                + capacity + " bytes in use (" + (capacity - used) + " free); size it larger in the run config");
    }
}
