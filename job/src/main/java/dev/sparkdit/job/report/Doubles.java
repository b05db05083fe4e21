package dev.sparkdit.job.report;

import java.util.Arrays;

/** A growable list of primitive doubles: a run's step times can be millions of values, not millions of boxes. */
final class Doubles {
    private double[] values = new double[16];
    private int size;

    void add(double v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[size++] = v;
    }

    void addAll(Doubles other) {
        for (int i = 0; i < other.size; i++) {
            add(other.values[i]);
        }
    }

    int size() {
        return size;
    }

    double get(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("index " + i + " of " + size + " values");
        }
        return values[i];
    }

    /** A copy of the values, in the order they were added. */
    double[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
