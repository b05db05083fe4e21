package dev.sparkdit.config;

/** A system property that switches a feature: {@code on} or {@code off}, anything else an error naming it. */
public final class OnOff {
    private OnOff() {
    }

    /** True for {@code on}, false for {@code off}; unset means on. */
    public static boolean read(String property) {
        return read(property, true);
    }

    /** True for {@code on}, false for {@code off}; unset means {@code unset}. */
    public static boolean read(String property, boolean unset) {
        String v = System.getProperty(property, unset ? "on" : "off");
        if (!v.equals("on") && !v.equals("off")) {
            throw new IllegalArgumentException(property + " must be on or off, got '" + v + "'");
        }
        return v.equals("on");
    }
}
