package dev.sparkdit.tokenizers;

import java.util.Arrays;

/** A growable int list: token ids are collected per prompt without boxing. */
final class Ids {
    private int[] a = new int[64];
    private int n;

    void add(int id) {
        if (n == a.length) {
            a = Arrays.copyOf(a, n * 2);
        }
        a[n++] = id;
    }

    int size() {
        return n;
    }

    int get(int i) {
        return a[i];
    }

    int[] toArray() {
        return Arrays.copyOf(a, n);
    }
}
