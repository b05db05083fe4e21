package dev.sparkdit.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sparkdit.tensor.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupts a valid file at random and checks the reader's contract: {@code open} either succeeds, and
 * then every tensor's data is readable and exactly in bounds, or throws {@link SafetensorsFormatException}.
 * Any other exception (index out of bounds, arithmetic overflow, a JVM fault) is a bug.
 */
class SafetensorsFuzzTest {
    private static final int ITERATIONS = 2000;

    @TempDir
    Path dir;

    @Test
    void corruptedFilesOpenCleanlyOrFailWithAFormatError() throws IOException {
        Path valid = dir.resolve("valid.safetensors");
        Random random = new Random(20240611L);
        LinkedHashMap<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put("img_in.weight", SafetensorsRoundTripTest.random(DType.BF16, random, 3, 4));
        tensors.put("img_in.bias", SafetensorsRoundTripTest.random(DType.F32, random, 3));
        tensors.put("guidance", SafetensorsRoundTripTest.random(DType.F64, random));
        tensors.put("ids", SafetensorsRoundTripTest.random(DType.I64, random, 2));
        tensors.put("mask", SafetensorsRoundTripTest.random(DType.BOOL, random, 5));
        SafetensorsWriter.write(valid, tensors, Map.of("format", "pt"));
        byte[] original = Files.readAllBytes(valid);
        int headerEnd = 8 + (int) ByteBuffer.wrap(original, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();

        int[] outcomes = new int[2]; // [opened, rejected]
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int i = 0; i < ITERATIONS; i++) {
                byte[] bytes = mutate(original, headerEnd, random);
                Path file = dir.resolve("fuzz" + i + ".safetensors");
                Files.write(file, bytes);
                try (SafetensorsFile f = SafetensorsFile.open(file)) {
                    readEverything(f, bytes.length);
                    outcomes[0]++;
                } catch (SafetensorsFormatException expected) {
                    assertTrue(expected.getMessage().startsWith(file + ": "), expected.getMessage());
                    outcomes[1]++;
                } catch (Throwable t) {
                    throw new AssertionError("iteration " + i + ": unexpected " + t + " for bytes "
                            + Arrays.toString(bytes), t);
                }
                Files.delete(file);
            }
        });
        assertEquals(ITERATIONS, outcomes[0] + outcomes[1]);
        // Both paths must actually be exercised, or the fuzzer tests nothing.
        assertTrue(outcomes[0] > 50, "opened " + outcomes[0]);
        assertTrue(outcomes[1] > 50, "rejected " + outcomes[1]);
    }

    private static void readEverything(SafetensorsFile f, long fileSize) throws IOException {
        long covered = 0;
        for (SafetensorsEntry e : f.entries()) {
            ByteBuffer data = f.data(e.name());
            if (data.remaining() != e.byteSize() || f.dataOffset() + e.end() > fileSize) {
                fail("tensor " + e + " maps " + data.remaining() + " bytes of a " + fileSize + "-byte file");
            }
            while (data.hasRemaining()) {
                data.get();
            }
            covered += e.byteSize();
        }
        assertEquals(fileSize - f.dataOffset(), covered, "tensors tile the data section");
    }

    /** One of: flip bytes anywhere, flip bytes in the header, swap a header digit, truncate, or several. */
    private static byte[] mutate(byte[] original, int headerEnd, Random random) {
        byte[] b = original.clone();
        int rounds = 1 + random.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            switch (random.nextInt(5)) {
                case 0 -> b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[random.nextInt(Math.min(headerEnd, b.length))] = (byte) random.nextInt(256);
                case 2 -> {
                    // Change a digit in the JSON: still valid JSON, so shape and offset checks are hit.
                    for (int tries = 0; tries < 50; tries++) {
                        int at = 8 + random.nextInt(Math.max(1, Math.min(headerEnd, b.length) - 8));
                        if (at < b.length && b[at] >= '0' && b[at] <= '9') {
                            b[at] = (byte) ('0' + random.nextInt(10));
                            break;
                        }
                    }
                }
                case 3 -> b = Arrays.copyOf(b, random.nextInt(b.length + 1));
                default -> b[random.nextInt(Math.min(8, b.length == 0 ? 1 : b.length))] ^= (byte) random.nextInt(256);
            }
            if (b.length == 0) {
                break;
            }
        }
        return b;
    }
}
