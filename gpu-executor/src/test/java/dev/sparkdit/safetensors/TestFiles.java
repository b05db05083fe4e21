package dev.sparkdit.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors files byte by byte, valid or not, for the reader's tests. */
final class TestFiles {
    private TestFiles() {
    }

    /** {@code prefix} as the u64 length, then {@code header}, then {@code data}: nothing is checked. */
    static Path raw(Path file, long prefix, byte[] header, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(prefix).put(header).put(data);
        Files.write(file, b.array());
        return file;
    }

    /** A file whose header is {@code json} (its true length) followed by {@code dataBytes} bytes 0, 1, 2, ... */
    static Path withHeader(Path file, String json, int dataBytes) throws IOException {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        byte[] data = new byte[dataBytes];
        for (int i = 0; i < dataBytes; i++) {
            data[i] = (byte) i;
        }
        return raw(file, header.length, header, data);
    }

    /** JSON for one entry. */
    static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + ","
                + end + "]}";
    }
}
