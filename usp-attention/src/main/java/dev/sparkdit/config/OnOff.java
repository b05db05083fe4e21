package dev.sparkdit.config;

/** A system property that switches a feature: {@code on} or {@code off}, anything else an error naming it. */
public final class OnOff {
    private OnOff() {
    }

    /** True for {@code on}, false for {@code off}; unset means on. */
    public static boolean read(String property) {
        String v = System.getProperty(property, "on");
        if (!v.equals("on") && !v.equals("off")) {
            throw new IllegalArgumentException(property + " must be on or off, got '" + v + "'");
        }
        return v.equals("on");
    }
}
