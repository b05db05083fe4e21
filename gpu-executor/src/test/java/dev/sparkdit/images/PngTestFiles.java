package dev.sparkdit.images;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/** A PNG's chunks, read without ImageIO, each with its CRC checked. */
final class PngTestFiles {
    record Chunk(String type, byte[] data) {
    }

    private PngTestFiles() {
    }

    static List<Chunk> chunks(byte[] png) throws IOException {
        if (!Arrays.equals(PngWriter.SIGNATURE, Arrays.copyOf(png, 8))) {
            throw new IOException("no PNG signature");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(png, 8, png.length - 8));
        List<Chunk> out = new ArrayList<>();
        while (in.available() > 0) {
            int length = in.readInt();
            byte[] type = in.readNBytes(4);
            byte[] data = in.readNBytes(length);
            int crc = in.readInt();
            CRC32 check = new CRC32();
            check.update(type);
            check.update(data);
            String name = new String(type, StandardCharsets.US_ASCII);
            if ((int) check.getValue() != crc) {
                throw new IOException("bad CRC on chunk " + name);
            }
            out.add(new Chunk(name, data));
        }
        return out;
    }

    /** The text of the tEXt or iTXt chunk with {@code keyword}, decoded by the chunk's own rules. */
    static String text(List<Chunk> chunks, String keyword) {
        for (Chunk c : chunks) {
            byte[] d = c.data();
            int nul = indexOf(d, 0, 0);
            if (nul < 0 || !new String(d, 0, nul, StandardCharsets.ISO_8859_1).equals(keyword)) {
                continue;
            }
            if (c.type().equals("tEXt")) {
                return new String(d, nul + 1, d.length - nul - 1, StandardCharsets.ISO_8859_1);
            }
            if (c.type().equals("iTXt")) {
                if (d[nul + 1] != 0) {
                    throw new IllegalStateException("compressed iTXt not expected");
                }
                int languageEnd = indexOf(d, 0, nul + 3);
                int translatedEnd = indexOf(d, 0, languageEnd + 1);
                return new String(d, translatedEnd + 1, d.length - translatedEnd - 1, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static int indexOf(byte[] d, int value, int from) {
        for (int i = from; i < d.length; i++) {
            if (d[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
