package dev.sparkdit.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkdit.tensor.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractCollection;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    static HostTensor random(DType dtype, Random random, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        byte[] bytes = new byte[(int) (n * dtype.bytes())];
        random.nextBytes(bytes);
        return HostTensor.of(dtype, shape, bytes);
    }

    static LinkedHashMap<String, HostTensor> sample() {
        Random random = new Random(7);
        LinkedHashMap<String, HostTensor> t = new LinkedHashMap<>();
        t.put("double_blocks.0.img_attn.qkv.weight", random(DType.BF16, random, 6, 5)); // 60 bytes: not 8-aligned
        t.put("double_blocks.0.img_attn.qkv.bias", random(DType.F32, random, 6));
        t.put("step", random(DType.I64, random)); // scalar: shape []
        t.put("empty", random(DType.F32, random, 0, 3));
        t.put("ids", random(DType.I64, random, 2, 3));
        return t;
    }

    @Test
    void writeThenReadGivesTheSameTensorsBytesAndMetadata() throws IOException {
        Path file = dir.resolve("model.safetensors");
        LinkedHashMap<String, HostTensor> tensors = sample();
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("note", "quotes \" and \u00e9");
        SafetensorsWriter.write(file, tensors, metadata);

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(file, f.path());
            assertEquals(metadata, f.metadata());
            assertEquals(List.copyOf(tensors.keySet()), List.copyOf(f.names()), "insertion order is data order");
            long offset = 0;
            for (SafetensorsEntry e : f.entries()) {
                HostTensor expected = tensors.get(e.name());
                assertEquals(expected.dtype(), e.dtype());
                assertArrayEquals(expected.shape(), e.shape());
                assertEquals(offset, e.begin(), "contiguous");
                assertEquals(expected.byteSize(), e.byteSize());
                assertEquals(e.numel() * e.dtype().bytes(), e.byteSize());
                offset = e.end();
                ByteBuffer data = f.data(e.name());
                assertEquals(0, data.position());
                assertEquals(e.byteSize(), data.remaining());
                assertTrue(data.isReadOnly());
                assertEquals(ByteOrder.LITTLE_ENDIAN, data.order());
                assertEquals(expected.data(), data, "bytes equal for " + e.name());
                assertEquals(expected, f.tensor(e.name()));
            }
            assertEquals(Files.size(file) - f.dataOffset(), offset, "tensors fill the data section");
            assertEquals(1, f.entry("step").numel());
            assertTrue(f.contains("ids"));
            assertFalse(f.contains("missing"));
        }
    }

    @Test
    void dataIsLittleEndianAndReadOnly() throws IOException {
        Path file = dir.resolve("f32.safetensors");
        ByteBuffer values = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).putFloat(3.25f);
        SafetensorsWriter.write(file, Map.of("v", new HostTensor(DType.F32, new long[] {3}, values.flip())));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            ByteBuffer data = f.data("v");
            assertEquals(1.5f, data.getFloat(0));
            assertEquals(-2f, data.getFloat(4));
            assertEquals(3.25f, data.getFloat(8));
            assertThrows(ReadOnlyBufferException.class, () -> data.put(0, (byte) 1));
        }
    }

    @Test
    void headerMatchesTheReferenceLayout() throws IOException {
        Path file = dir.resolve("ref.safetensors");
        LinkedHashMap<String, HostTensor> t = new LinkedHashMap<>();
        t.put("a", HostTensor.of(DType.F32, new long[] {2}, new byte[8]));
        t.put("b", HostTensor.of(DType.U8, new long[] {1, 3}, new byte[] {1, 2, 3}));
        SafetensorsWriter.write(file, t, Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        String json = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[1,3],\"data_offsets\":[8,11]}}";
        assertEquals(json + " ".repeat((int) n - json.length()), header, "serde-style compact JSON, space padding");
        assertEquals(8 + n + 11, bytes.length);
    }

    @Test
    void emptyFileRoundTrips() throws IOException {
        Path file = dir.resolve("empty.safetensors");
        SafetensorsWriter.write(file, Map.of());
        assertEquals(16, Files.size(file), "8-byte prefix + '{}' padded to 8");
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertTrue(f.entries().isEmpty());
            assertTrue(f.metadata().isEmpty());
        }
    }

    @Test
    void missingTensorNamesTheFileAndTheName() throws IOException {
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.write(file, sample());
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            NoSuchTensorException e = assertThrows(NoSuchTensorException.class, () -> f.entry("txt_in.weight"));
            assertEquals(file + ": no tensor named 'txt_in.weight' (the file holds 5 tensors)", e.getMessage());
            assertThrows(NoSuchTensorException.class, () -> f.data("txt_in.weight"));
        }
    }

    @Test
    void dataAfterCloseIsRefused() throws IOException {
        Path file = dir.resolve("c.safetensors");
        SafetensorsWriter.write(file, sample());
        SafetensorsFile f = SafetensorsFile.open(file);
        ByteBuffer before = f.data("ids");
        f.close();
        f.close(); // idempotent
        assertEquals(48, before.remaining(), "a buffer mapped before close stays readable");
        before.get(47);
        assertThrows(IllegalStateException.class, () -> f.data("ids"));
    }

    @Test
    void writerReplacesAtomicallyAndLeavesNoTempFileOnFailure() throws IOException {
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(file, sample());
        byte[] original = Files.readAllBytes(file);

        // Fails before anything is written: reserved name.
        Map<String, HostTensor> reserved = Map.of("__metadata__", HostTensor.of(DType.U8, new long[] {1}, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(file, reserved));

        // Fails half way through the data: the second tensor's bytes cannot be produced.
        LinkedHashMap<String, HostTensor> failing = new LinkedHashMap<>(sample()) {
            @Override
            public Collection<HostTensor> values() {
                Collection<HostTensor> real = super.values();
                return new AbstractCollection<>() {
                    @Override
                    public Iterator<HostTensor> iterator() {
                        Iterator<HostTensor> it = real.iterator();
                        return new Iterator<>() {
                            int served;

                            @Override
                            public boolean hasNext() {
                                return it.hasNext();
                            }

                            @Override
                            public HostTensor next() {
                                if (++served == 2) {
                                    throw new IllegalStateException("simulated failure mid-write");
                                }
                                return it.next();
                            }
                        };
                    }

                    @Override
                    public int size() {
                        return real.size();
                    }
                };
            }
        };
        assertThrows(IllegalStateException.class, () -> SafetensorsWriter.write(file, failing));

        assertArrayEquals(original, Files.readAllBytes(file), "the old file is untouched");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void hostTensorChecksItsByteSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostTensor.of(DType.F32, new long[] {2, 2}, new byte[12]));
        assertEquals("shape [2, 2] of F32 needs 16 bytes, the buffer has 12", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HostTensor.of(DType.F32, new long[] {-1}, new byte[0]));
    }

    @Test
    void hostTensorKeepsItsOwnView() {
        ByteBuffer b = ByteBuffer.wrap(new byte[] {9, 1, 2, 3, 4});
        b.position(1);
        HostTensor t = new HostTensor(DType.I32, new long[] {1}, b);
        b.position(5);
        assertEquals(4, t.data().remaining());
        assertEquals(0x04030201, t.data().getInt(0));
        assertEquals(1, t.numel());
    }
}
