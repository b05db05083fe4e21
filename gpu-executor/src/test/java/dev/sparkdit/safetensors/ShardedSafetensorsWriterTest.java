package dev.sparkdit.safetensors;

import dev.sparkdit.json.Json;
import dev.sparkdit.models.SafetensorsCheckpoint;
import dev.sparkdit.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardedSafetensorsWriterTest {
    @TempDir
    Path dir;

    /** Byte j of tensor t: a function of the name and the position, so any misplaced chunk shows. */
    private static byte expected(TensorSpec t, long j) {
        return (byte) (t.name().hashCode() * 31 + j * 7 + (j >>> 11));
    }

    private static final TensorBytes PATTERN = (t, first, out) -> {
        long j = first * t.dtype().bytes();
        while (out.hasRemaining()) {
            out.put(expected(t, j++));
        }
    };

    private static List<TensorSpec> tensors() {
        List<TensorSpec> ts = new ArrayList<>();
        ts.add(new TensorSpec("blocks.0.weight", DType.BF16, new long[] {300, 1000}));  // 600,000 bytes
        ts.add(new TensorSpec("blocks.0.bias", DType.F32, new long[] {300}));
        ts.add(new TensorSpec("blocks.1.weight", DType.BF16, new long[] {1500, 1500})); // 4.5 MB: several chunks
        ts.add(new TensorSpec("blocks.1.bias", DType.F32, new long[] {1500}));
        ts.add(new TensorSpec("blocks.2.weight", DType.BF16, new long[] {200, 1000}));  // 400,000 bytes
        ts.add(new TensorSpec("empty", DType.F32, new long[] {0, 4}));
        ts.add(new TensorSpec("norm.weight", DType.F32, new long[] {7}));
        return ts;
    }

    private static void assertReadsBack(Path folder, List<TensorSpec> tensors) throws IOException {
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(folder)) {
            assertEquals(tensors.size(), c.names().size());
            for (TensorSpec t : tensors) {
                assertEquals(t.dtype(), c.dtype(t.name()));
                assertArrayEquals(t.shape(), c.shape(t.name()));
                ByteBuffer b = c.data(t.name());
                assertEquals(t.byteSize(), b.remaining(), t.name());
                int at = b.position();
                for (long j = 0; j < t.byteSize(); j++) {
                    if (b.get(at + (int) j) != expected(t, j)) {
                        throw new AssertionError(t.name() + ": byte " + j + " differs");
                    }
                }
            }
        }
    }

    @Test
    void shardsWithAnIndexThatTheCheckpointReaderReadsBackExactly() throws IOException {
        List<TensorSpec> ts = tensors();
        ShardedSafetensorsWriter.Written w = ShardedSafetensorsWriter.write(dir, "diffusion_pytorch_model", ts,
                Map.of("format", "pt"), PATTERN, 1_000_000, 3, null);
        // blocks.1.weight (4.5 MB > 1 MB) gets a shard of its own at once; blocks.0.* and blocks.1.bias fill the next
        // until blocks.2.weight would take it past 1 MB; it starts the last.
        assertEquals(List.of("diffusion_pytorch_model-00001-of-00003.safetensors",
                "diffusion_pytorch_model-00002-of-00003.safetensors",
                "diffusion_pytorch_model-00003-of-00003.safetensors"),
                w.files().stream().map(p -> p.getFileName().toString()).toList());
        assertEquals(dir.resolve("diffusion_pytorch_model.safetensors.index.json"), w.index());
        Map<String, Object> index = Json.asMap(Json.parse(Files.readString(w.index())), "index");
        long total = ts.stream().mapToLong(TensorSpec::byteSize).sum();
        assertEquals(Map.of("total_size", total), index.get("metadata"));
        Map<String, Object> map = Json.asMap(index.get("weight_map"), "weight_map");
        assertEquals(List.of("blocks.0.bias", "blocks.0.weight", "blocks.1.bias", "blocks.1.weight", "blocks.2.weight",
                "empty", "norm.weight"), List.copyOf(map.keySet()), "sorted, as huggingface_hub writes it");
        assertEquals("diffusion_pytorch_model-00001-of-00003.safetensors", map.get("blocks.1.weight"));
        assertEquals("diffusion_pytorch_model-00002-of-00003.safetensors", map.get("blocks.1.bias"));
        assertEquals("diffusion_pytorch_model-00003-of-00003.safetensors", map.get("norm.weight"));
        assertEquals(total, w.tensorBytes());
        assertReadsBack(dir, ts);
        try (SafetensorsFile f = SafetensorsFile.open(w.files().get(1))) {
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertEquals(List.of("blocks.0.bias", "blocks.0.weight", "blocks.1.bias"),
                    f.entries().stream().map(SafetensorsEntry::name).toList(), "data in name order");
        }
    }

    @Test
    void aCheckpointThatFitsOneShardIsOneFileWithoutIndex_andReplacesAnEarlierShardedOne() throws IOException {
        List<TensorSpec> ts = tensors();
        ShardedSafetensorsWriter.write(dir, "model", ts, Map.of(), PATTERN, 1_000_000, 2, null);
        Files.writeString(dir.resolve("config.json"), "{}");
        ShardedSafetensorsWriter.Written w = ShardedSafetensorsWriter.write(dir, "model", ts, Map.of(), PATTERN,
                ShardedSafetensorsWriter.DEFAULT_SHARD_BYTES, 2, null);
        assertEquals(List.of(dir.resolve("model.safetensors")), w.files());
        assertNull(w.index());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("config.json", "model.safetensors"),
                    s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "the earlier shards and index are gone, other files stay");
        }
        assertReadsBack(dir, ts);
    }

    @Test
    void threadsChangeNothingInTheFile() throws IOException {
        List<TensorSpec> ts = tensors();
        SafetensorsWriter.write(dir.resolve("one.safetensors"), ts, Map.of(), PATTERN, 1, null);
        long[] reported = new long[1];
        SafetensorsWriter.write(dir.resolve("four.safetensors"), ts, Map.of(), PATTERN, 4, b -> {
            synchronized (reported) {
                reported[0] += b;
            }
        });
        assertArrayEquals(Files.readAllBytes(dir.resolve("one.safetensors")),
                Files.readAllBytes(dir.resolve("four.safetensors")));
        assertEquals(ts.stream().mapToLong(TensorSpec::byteSize).sum(), reported[0], "progress adds up to the data");
    }

    @Test
    void aFailingProducerLeavesNoFileBehindAndItsExceptionComesThrough() throws IOException {
        TensorBytes failing = (t, first, out) -> {
            if (t.name().equals("blocks.1.weight") && first > 0) {
                throw new IllegalStateException("simulated failure in " + t.name());
            }
            PATTERN.fill(t, first, out);
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ShardedSafetensorsWriter.write(dir,
                "model", tensors(), Map.of(), failing, 1_000_000, 3, null));
        assertEquals("simulated failure in blocks.1.weight", e.getMessage());
        try (Stream<Path> s = Files.list(dir)) {
            List<String> left = s.map(p -> p.getFileName().toString()).toList();
            assertFalse(left.stream().anyMatch(n -> n.endsWith(".tmp")), left.toString());
            assertFalse(left.contains("model-00001-of-00003.safetensors"), left.toString());
        }
        TensorBytes lazy = (t, first, out) -> out.put((byte) 0);
        IllegalStateException short_ = assertThrows(IllegalStateException.class, () -> SafetensorsWriter.write(
                dir.resolve("x.safetensors"), tensors(), Map.of(), lazy, 1, null));
        assertTrue(short_.getMessage().contains("unwritten"), short_.getMessage());
    }

    @Test
    void shardPlanFollowsHuggingFaceHub() {
        TensorSpec a = new TensorSpec("a", DType.U8, new long[] {4});
        TensorSpec b = new TensorSpec("b", DType.U8, new long[] {5});
        TensorSpec big = new TensorSpec("big", DType.U8, new long[] {20});
        TensorSpec c = new TensorSpec("c", DType.U8, new long[] {6});
        // The oversized tensor's shard is closed at once, before the open one.
        assertEquals(List.of(List.of(big), List.of(a, b), List.of(c)),
                ShardedSafetensorsWriter.shards(List.of(a, b, big, c), 10));
        assertEquals(List.of(List.of(a), List.of(b)), ShardedSafetensorsWriter.shards(List.of(a, b), 8));
        assertEquals(List.of(List.of()), ShardedSafetensorsWriter.shards(List.of(), 8));
        assertThrows(IllegalArgumentException.class, () -> ShardedSafetensorsWriter.shards(List.of(a), 0));
    }
}
