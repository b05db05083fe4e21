package dev.sparkdit.job.group;

/** A barrier task as the others see it: its index in the stage, its executor's host, its GPU (-1: none, the CPU). */
public record TaskSlot(int task, String host, int gpu) {
    /** {@code host|gpu}: what each task publishes through the barrier's all-gather. */
    public String encode() {
        return host + "|" + gpu;
    }

    public static TaskSlot decode(int task, String s) {
        int bar = s.lastIndexOf('|');
        if (bar < 0) {
            throw new IllegalArgumentException("task " + task + " published '" + s + "', expected host|gpu");
        }
        return new TaskSlot(task, s.substring(0, bar), Integer.parseInt(s.substring(bar + 1)));
    }
}
