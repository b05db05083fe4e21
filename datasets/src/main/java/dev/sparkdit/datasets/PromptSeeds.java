package dev.sparkdit.datasets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The seed of a row that has none, derived from the job's seed and the row's id, so a rerun, a retry
 * on another executor, or a different cluster size renders the same image:
 *
 * <pre>
 * digest = SHA-256( "sparkdit-seed-v1" 0x00 || jobSeed as 8 bytes big-endian || UTF-8(promptId) )
 * seed   = (first 8 bytes of digest as a big-endian long) AND 0x7fffffffffffffff
 * </pre>
 *
 * Hashing the id (rather than using the row's position) keeps the seed independent of the table's
 * order and partitioning; the result is non-negative so every consumer (torch, numpy) takes it as is.
 * The version tag lets a future derivation change without silently reusing old seeds.
 */
public final class PromptSeeds {

    private static final byte[] TAG = "sparkdit-seed-v1\0".getBytes(StandardCharsets.US_ASCII);

    private PromptSeeds() {
    }

    public static long derive(long jobSeed, String promptId) {
        if (promptId == null) {
            throw new IllegalArgumentException("cannot derive a seed for a null prompt_id");
        }
        MessageDigest sha256 = sha256();
        sha256.update(TAG);
        sha256.update(ByteBuffer.allocate(Long.BYTES).putLong(jobSeed).array());
        sha256.update(promptId.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(sha256.digest()).getLong() & Long.MAX_VALUE;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256 (MessageDigest's Javadoc).
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
