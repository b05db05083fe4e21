package dev.sparkdit.models;

import dev.sparkdit.safetensors.HostTensor;
import dev.sparkdit.safetensors.SafetensorsEntry;
import dev.sparkdit.safetensors.SafetensorsFile;
import dev.sparkdit.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a checkpoint into memory and writes edited copies of it, for loader tests. */
final class CheckpointFixtures {
    private CheckpointFixtures() {
    }

    static LinkedHashMap<String, HostTensor> read(Path file) throws IOException {
        LinkedHashMap<String, HostTensor> m = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (SafetensorsEntry e : f.entries()) {
                ByteBuffer src = f.data(e.name());
                byte[] bytes = new byte[src.remaining()];
                src.get(bytes);
                m.put(e.name(), HostTensor.of(e.dtype(), e.shape(), bytes));
            }
        }
        return m;
    }

    static Path write(Path file, Map<String, HostTensor> tensors) throws IOException {
        SafetensorsWriter.write(file, tensors);
        return file;
    }

    static byte[] bytes(HostTensor t) {
        ByteBuffer b = t.data();
        byte[] r = new byte[b.remaining()];
        b.get(r);
        return r;
    }

    /** Rows [start, start + rows) of a tensor, along dim 0. */
    static byte[] rows(HostTensor t, long start, long rows) {
        long rowBytes = t.byteSize() / t.shape()[0];
        byte[] all = bytes(t);
        byte[] r = new byte[(int) (rows * rowBytes)];
        System.arraycopy(all, (int) (start * rowBytes), r, 0, r.length);
        return r;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] r = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, r, at, p.length);
            at += p.length;
        }
        return r;
    }
}
