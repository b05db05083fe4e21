package dev.sparkdit.job.group;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Which group renders a prompt: the first 8 bytes of SHA-256 of its id, modulo the groups. Stable across runs (a
 * resumed run gives every prompt the same group) and spread evenly whatever the ids look like.
 */
public final class GroupAssignment {
    private GroupAssignment() {
    }

    public static int groupOf(String promptId, int groups) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(promptId.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (d[i] & 0xFF);
            }
            return (int) Math.floorMod(v, (long) groups);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
