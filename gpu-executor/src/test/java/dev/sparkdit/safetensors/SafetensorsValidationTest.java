package dev.sparkdit.safetensors;

import static dev.sparkdit.safetensors.TestFiles.entry;
import static dev.sparkdit.safetensors.TestFiles.withHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkdit.tensor.DType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per rule the reader enforces, checking the message a user would see. */
class SafetensorsValidationTest {
    @TempDir
    Path dir;

    /** Opens {@code file}, expects a format error, checks the path prefix and returns the problem. */
    private static String problem(Path file) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> {
            try (SafetensorsFile ignored = SafetensorsFile.open(file)) {
                // must not get here
            }
        });
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertEquals(file, e.file());
        return e.problem();
    }

    private static void assertContains(String haystack, String... needles) {
        for (String n : needles) {
            assertTrue(haystack.contains(n), "expected \"" + n + "\" in: " + haystack);
        }
    }

    private Path valid() throws IOException {
        Path file = dir.resolve("valid.safetensors");
        LinkedHashMap<String, HostTensor> t = new LinkedHashMap<>();
        t.put("a", HostTensor.of(DType.F32, new long[] {4}, new byte[16]));
        t.put("b", HostTensor.of(DType.BF16, new long[] {2, 2}, new byte[8]));
        SafetensorsWriter.write(file, t);
        return file;
    }

    private Path truncated(int keep) throws IOException {
        byte[] bytes = Files.readAllBytes(valid());
        Path cut = dir.resolve("cut" + keep + ".safetensors");
        Files.write(cut, Arrays.copyOf(bytes, keep));
        return cut;
    }

    @Test
    void fileShorterThanTheLengthPrefix() throws IOException {
        for (int size : new int[] {0, 3, 7}) {
            Path f = dir.resolve("short" + size);
            Files.write(f, new byte[size]);
            assertEquals("file is " + size + " bytes, shorter than the 8-byte header length prefix (truncated, or not a"
                    + " safetensors file)", problem(f));
        }
    }

    @Test
    void truncatedInsideTheLengthTheHeaderAndTheData() throws IOException {
        long fileSize = Files.size(valid());
        long n = fileSize - 8 - 24;
        assertContains(problem(truncated(5)), "file is 5 bytes, shorter than the 8-byte header length prefix");
        assertContains(problem(truncated(8)), "header length " + n + " goes beyond the file: 8 + " + n + " > file size 8");
        assertContains(problem(truncated(8 + (int) n / 2)), "goes beyond the file");
        // Inside the data: the last tensor ends past the (shorter) data section.
        assertContains(problem(truncated((int) fileSize - 3)), "tensor 'b': data_offsets [16, 24] are not within the data"
                + " section of 21 bytes", "file truncated?");
        // Exactly at the end of the header: every tensor is outside.
        assertContains(problem(truncated(8 + (int) n)), "tensor 'a': data_offsets [0, 16] are not within the data section of 0 bytes");
    }

    @Test
    void headerLengthZero() throws IOException {
        Path f = TestFiles.raw(dir.resolve("zero"), 0, new byte[0], new byte[16]);
        assertEquals("header length is 0; even an empty file has the 2-byte header {}", problem(f));
    }

    @Test
    void headerLengthHuge() throws IOException {
        Path f = TestFiles.raw(dir.resolve("huge"), 1L << 40, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertContains(problem(f), "header length 1099511627776 exceeds the limit of 100000000 bytes");
        // The prefix is unsigned: all ones is 2^64 - 1, not -1.
        Path g = TestFiles.raw(dir.resolve("ones"), -1L, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertContains(problem(g), "header length 18446744073709551615 exceeds the limit");
        Path h = TestFiles.raw(dir.resolve("limit"), 100_000_001L, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertContains(problem(h), "header length 100000001 exceeds the limit");
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        Path f = TestFiles.raw(dir.resolve("beyond"), 3, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertEquals("header length 3 goes beyond the file: 8 + 3 > file size 10 (truncated?)", problem(f));
    }

    @Test
    void headerNotUtf8() throws IOException {
        Path f = TestFiles.raw(dir.resolve("latin1"), 4, new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'}, new byte[0]);
        assertContains(problem(f), "header (4 bytes) is not valid UTF-8");
    }

    @Test
    void headerNotJson() throws IOException {
        assertContains(problem(withHeader(dir.resolve("text"), "hello world", 0)),
                "header is not valid JSON: JSON error at offset 0: Unrecognized token");
        assertContains(problem(withHeader(dir.resolve("trailing"), "{} {}", 0)),
                "header is not valid JSON: JSON error at offset 3: Trailing token");
        assertContains(problem(withHeader(dir.resolve("nul"), "{}\0\0\0\0\0\0", 0)), "header is not valid JSON");
        assertEquals("header must be a JSON object, got array", problem(withHeader(dir.resolve("array"), "[]", 0)));
    }

    @Test
    void duplicateTensorNames() throws IOException {
        Path f = withHeader(dir.resolve("dup"), "{" + entry("w", "U8", "[1]", 0, 1) + "," + entry("w", "U8", "[1]", 1, 2) + "}", 2);
        assertContains(problem(f), "header is not valid JSON", "Duplicate field 'w'");
    }

    @Test
    void entryWithMissingOrMistypedFields() throws IOException {
        assertContains(problem(withHeader(dir.resolve("e1"), "{\"w\": 3}", 0)), "tensor 'w': entry must be an object", "got integer");
        assertContains(problem(withHeader(dir.resolve("e2"), "{\"w\":{\"shape\":[1],\"data_offsets\":[0,1]}}", 1)),
                "tensor 'w': missing \"dtype\"");
        assertContains(problem(withHeader(dir.resolve("e3"), "{\"w\":{\"dtype\":\"U8\",\"data_offsets\":[0,1]}}", 1)),
                "tensor 'w': missing \"shape\"");
        assertContains(problem(withHeader(dir.resolve("e4"), "{\"w\":{\"dtype\":\"U8\",\"shape\":[1]}}", 1)),
                "tensor 'w': missing \"data_offsets\"");
        assertContains(problem(withHeader(dir.resolve("e5"), "{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,1]}}", 1)),
                "tensor 'w': \"dtype\" must be a string, got integer");
        assertContains(problem(withHeader(dir.resolve("e6"), "{" + entry("w", "U8", "\"1\"", 0, 1) + "}", 1)),
                "tensor 'w': \"shape\" must be an array of integers, got \"1\"");
        assertContains(problem(withHeader(dir.resolve("e7"), "{" + entry("w", "U8", "[1.0]", 0, 1) + "}", 1)),
                "tensor 'w': \"shape\" must be an array of integers, got [1.0] (element 0 is number)");
        assertContains(problem(withHeader(dir.resolve("e8"), "{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1]}}", 1)),
                "tensor 'w': \"data_offsets\" must be [begin, end], two integers, got [1]");
        assertContains(problem(withHeader(dir.resolve("e9"), "{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,\"1\"]}}", 1)),
                "(element 1 is string)");
        assertContains(problem(withHeader(dir.resolve("e10"), "{" + entry("w", "U8", "[99999999999999999999]", 0, 1) + "}", 1)),
                "(element 0 is number)");
    }

    @Test
    void unknownDtypeNamesTheTensorAndTheDtype() throws IOException {
        Path f = withHeader(dir.resolve("dtype"), "{" + entry("img_in.weight", "F4", "[2]", 0, 1) + "}", 1);
        assertContains(problem(f), "tensor 'img_in.weight': unknown dtype 'F4' (supported: [F64, F32, F16, BF16,");
    }

    @Test
    void negativeDimensionsAndOverflowingShapes() throws IOException {
        assertContains(problem(withHeader(dir.resolve("neg"), "{" + entry("w", "F32", "[2,-3]", 0, 0) + "}", 0)),
                "tensor 'w': shape [2, -3] has negative dimension -3 at index 1");
        assertContains(problem(withHeader(dir.resolve("ovf"), "{" + entry("w", "F32", "[4611686018427387904,4]", 0, 0) + "}", 0)),
                "tensor 'w': shape [4611686018427387904, 4] of F32 has more than 9223372036854775807 bytes (overflow)");
        // numel fits, numel * bytes does not.
        assertContains(problem(withHeader(dir.resolve("ovf2"), "{" + entry("w", "F64", "[2305843009213693952]", 0, 0) + "}", 0)),
                "(overflow)");
    }

    @Test
    void dataOffsetsOutsideTheDataSection() throws IOException {
        assertContains(problem(withHeader(dir.resolve("o1"), "{" + entry("w", "U8", "[1]", -1, 0) + "}", 1)),
                "tensor 'w': data_offsets [-1, 0] are not within the data section of 1 bytes (need 0 <= begin <= end <= 1)");
        assertContains(problem(withHeader(dir.resolve("o2"), "{" + entry("w", "U8", "[1]", 2, 1) + "}", 2)),
                "data_offsets [2, 1] are not within");
        assertContains(problem(withHeader(dir.resolve("o3"), "{" + entry("w", "U8", "[4]", 0, 4) + "}", 3)),
                "data_offsets [0, 4] are not within the data section of 3 bytes", "file truncated?");
        assertContains(problem(withHeader(dir.resolve("o4"), "{" + entry("w", "U8", "[0]", Long.MAX_VALUE, Long.MAX_VALUE) + "}", 0)),
                "are not within");
    }

    @Test
    void byteSizeMismatchNamesBothSizes() throws IOException {
        Path f = withHeader(dir.resolve("size"), "{" + entry("w", "F32", "[2,2]", 0, 12) + "}", 12);
        assertEquals("tensor 'w': data_offsets [0, 12] span 12 bytes but shape [2, 2] of F32 needs 4 x 4 = 16 bytes",
                problem(f));
    }

    @Test
    void overlappingTensorsNameBoth() throws IOException {
        Path f = withHeader(dir.resolve("overlap"), "{" + entry("a", "U8", "[8]", 0, 8) + "," + entry("b", "U8", "[8]", 4, 12) + "}", 12);
        assertEquals("tensors 'a' [0, 8) and 'b' [4, 12) overlap", problem(f));
        Path g = withHeader(dir.resolve("same"), "{" + entry("a", "U8", "[4]", 0, 4) + "," + entry("b", "U8", "[4]", 0, 4) + "}", 4);
        assertEquals("tensors 'a' [0, 4) and 'b' [0, 4) overlap", problem(g));
        // An empty tensor inside another one overlaps it, as in the reference.
        Path h = withHeader(dir.resolve("inside"), "{" + entry("a", "U8", "[8]", 0, 8) + "," + entry("z", "U8", "[0]", 4, 4) + "}", 8);
        assertEquals("tensors 'a' [0, 8) and 'z' [4, 4) overlap", problem(h));
    }

    @Test
    void holesAndUncoveredBytes() throws IOException {
        Path between = withHeader(dir.resolve("between"), "{" + entry("a", "U8", "[4]", 0, 4) + "," + entry("b", "U8", "[4]", 6, 10) + "}", 10);
        assertContains(problem(between), "data bytes [4, 6) between tensors 'a' and 'b' belong to no tensor", "MetadataIncompleteBuffer");
        Path before = withHeader(dir.resolve("before"), "{" + entry("a", "U8", "[4]", 2, 6) + "}", 6);
        assertContains(problem(before), "data bytes [0, 2) before the first tensor 'a' belong to no tensor");
        Path after = withHeader(dir.resolve("after"), "{" + entry("a", "U8", "[4]", 0, 4) + "}", 9);
        assertEquals("data section is 9 bytes but the tensors cover only [0, 4); the last 5 bytes belong to no tensor"
                + " (the reference implementation rejects this as MetadataIncompleteBuffer)", problem(after));
        Path noTensors = withHeader(dir.resolve("none"), "{}", 1);
        assertContains(problem(noTensors), "data section is 1 bytes but the tensors cover only [0, 0)");
    }

    @Test
    void metadataMustMapStringsToStrings() throws IOException {
        assertEquals("\"__metadata__\" must be an object of string to string, got array",
                problem(withHeader(dir.resolve("m1"), "{\"__metadata__\":[]}", 0)));
        assertEquals("\"__metadata__\" value of key 'step' must be a string, got integer",
                problem(withHeader(dir.resolve("m2"), "{\"__metadata__\":{\"format\":\"pt\",\"step\":3}}", 0)));
    }

    @Test
    void acceptsWhatTheReferenceAccepts() throws IOException {
        // Empty tensors anywhere on a boundary, padding spaces, metadata anywhere in the object, extra fields.
        String json = "{" + entry("z", "F32", "[0]", 0, 0) + ",\"__metadata__\":{\"format\":\"pt\"},"
                + entry("b", "U8", "[2]", 2, 4) + "," + entry("a", "I16", "[]", 0, 2) + "," + entry("e", "BOOL", "[0,5]", 4, 4)
                + ",\"x\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[4,5],\"extra\":true}}    ";
        try (SafetensorsFile f = SafetensorsFile.open(withHeader(dir.resolve("ok"), json, 5))) {
            assertEquals("[z, a, b, e, x]", f.names().toString(), "data-offset order");
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertEquals(0, f.data("z").remaining());
            assertEquals(0x0100, f.data("a").getShort(0), "little-endian, bytes 0, 1");
            assertEquals(DType.F8_E4M3, f.entry("x").dtype());
        }
    }

    @Test
    void refusesToMapATensorOf2GiBOrMore() throws IOException {
        long size = 1L << 31;
        byte[] header = ("{" + entry("big", "U8", "[" + size + "]", 0, size) + "}").getBytes(StandardCharsets.UTF_8);
        Path f = TestFiles.raw(dir.resolve("big.safetensors"), header.length, header, new byte[0]);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(8 + header.length + size); // sparse: no 2 GiB written
        }
        try (SafetensorsFile file = SafetensorsFile.open(f)) {
            assertEquals(size, file.entry("big").byteSize(), "the header itself is valid");
            SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> file.data("big"));
            assertEquals(f + ": tensor 'big' is 2147483648 bytes; a single mapping holds at most 2147483647 bytes"
                    + " (2^31 - 1), so this reader cannot map it", e.getMessage());
        }
    }
}
