package dev.sparkdit.safetensors;

import dev.sparkdit.json.Json;
import dev.sparkdit.json.JsonException;
import dev.sparkdit.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validated header of a safetensors file: its tensors in data order and its string metadata.
 *
 * <p>Layout of a file ({@code N} little-endian unsigned):
 * <pre>
 *   [0, 8)          u64 N: header length in bytes
 *   [8, 8 + N)      UTF-8 JSON object {"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets"}, ...}
 *   [8 + N, EOF)    data section; data_offsets [begin, end) are relative to its first byte
 * </pre>
 * Everything the reference (Rust) implementation checks is checked here, so a file that loads here
 * loads there: the tensors, sorted by offset, must tile the data section exactly, with no overlap,
 * no hole and nothing left over.
 */
final class SafetensorsHeader {
    /** Bytes of the length prefix. */
    static final int PREFIX_BYTES = 8;
    /** The reference implementation's limit; a larger length is corruption, not a real header. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";

    final List<SafetensorsEntry> entries;
    final Map<String, String> metadata;

    private SafetensorsHeader(List<SafetensorsEntry> entries, Map<String, String> metadata) {
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Validates {@code header} (the N header bytes) against a data section of {@code dataSize} bytes. */
    static SafetensorsHeader parse(Path file, byte[] header, long dataSize) throws SafetensorsFormatException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException(file, "header (" + header.length + " bytes) is not valid UTF-8 ("
                    + e.getMessage() + "); not a safetensors file?", e);
        }
        Object root;
        try {
            root = Json.parse(text);
        } catch (JsonException e) {
            throw new SafetensorsFormatException(file, "header is not valid JSON: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> rootMap)) {
            throw new SafetensorsFormatException(file, "header must be a JSON object, got " + Json.typeName(root));
        }
        Map<String, String> metadata = Map.of();
        List<SafetensorsEntry> entries = new ArrayList<>(rootMap.size());
        for (Map.Entry<?, ?> e : rootMap.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA_KEY)) {
                metadata = metadata(file, e.getValue());
            } else {
                entries.add(entry(file, name, e.getValue(), dataSize));
            }
        }
        entries.sort(Comparator.comparingLong(SafetensorsEntry::begin)
                .thenComparingLong(SafetensorsEntry::end)
                .thenComparing(SafetensorsEntry::name));
        checkTiling(file, entries, dataSize);
        return new SafetensorsHeader(Collections.unmodifiableList(entries), metadata);
    }

    private static Map<String, String> metadata(Path file, Object value) throws SafetensorsFormatException {
        if (!(value instanceof Map<?, ?> map)) {
            throw new SafetensorsFormatException(file, "\"" + METADATA_KEY + "\" must be an object of string to string, got "
                    + Json.typeName(value));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new SafetensorsFormatException(file, "\"" + METADATA_KEY + "\" value of key '" + e.getKey()
                        + "' must be a string, got " + Json.typeName(e.getValue()));
            }
            out.put((String) e.getKey(), s);
        }
        return Collections.unmodifiableMap(out);
    }

    private static SafetensorsEntry entry(Path file, String name, Object value, long dataSize)
            throws SafetensorsFormatException {
        String where = "tensor '" + name + "'";
        if (!(value instanceof Map<?, ?> fields)) {
            throw new SafetensorsFormatException(file, where + ": entry must be an object with dtype, shape and"
                    + " data_offsets, got " + Json.typeName(value));
        }
        Object dtypeValue = required(file, where, fields, "dtype");
        if (!(dtypeValue instanceof String dtypeName)) {
            throw new SafetensorsFormatException(file, where + ": \"dtype\" must be a string, got "
                    + Json.typeName(dtypeValue));
        }
        DType dtype;
        try {
            dtype = DType.fromSafetensors(dtypeName);
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(file, where + ": unknown dtype '" + dtypeName + "' (supported: "
                    + Arrays.stream(DType.values()).map(DType::safetensorsName).toList() + ")");
        }

        long[] shape = longs(file, where, "shape", required(file, where, fields, "shape"), -1);
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new SafetensorsFormatException(file, where + ": shape " + Arrays.toString(shape)
                        + " has negative dimension " + shape[i] + " at index " + i);
            }
        }
        long needed;
        try {
            for (long d : shape) {
                numel = Math.multiplyExact(numel, d);
            }
            needed = Math.multiplyExact(numel, (long) dtype.bytes());
        } catch (ArithmeticException e) {
            throw new SafetensorsFormatException(file, where + ": shape " + Arrays.toString(shape) + " of " + dtype
                    + " has more than " + Long.MAX_VALUE + " bytes (overflow)");
        }

        long[] offsets = longs(file, where, "data_offsets", required(file, where, fields, "data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin < 0 || end < begin || end > dataSize) {
            throw new SafetensorsFormatException(file, where + ": data_offsets [" + begin + ", " + end
                    + "] are not within the data section of " + dataSize + " bytes (need 0 <= begin <= end <= "
                    + dataSize + ")" + (end > dataSize && begin >= 0 && end >= begin ? "; file truncated?" : ""));
        }
        if (end - begin != needed) {
            throw new SafetensorsFormatException(file, where + ": data_offsets [" + begin + ", " + end + "] span "
                    + (end - begin) + " bytes but shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + numel + " x " + dtype.bytes() + " = " + needed + " bytes");
        }
        return new SafetensorsEntry(name, dtype, shape, begin, end);
    }

    private static Object required(Path file, String where, Map<?, ?> fields, String key)
            throws SafetensorsFormatException {
        if (!fields.containsKey(key)) {
            throw new SafetensorsFormatException(file, where + ": missing \"" + key + "\" (has " + fields.keySet() + ")");
        }
        return fields.get(key);
    }

    /** A JSON array of integers; {@code length} -1 for any length. */
    private static long[] longs(Path file, String where, String key, Object value, int length)
            throws SafetensorsFormatException {
        String expected = length == 2 ? "[begin, end], two integers" : "an array of integers";
        if (!(value instanceof List<?> list) || (length >= 0 && list.size() != length)) {
            throw new SafetensorsFormatException(file, where + ": \"" + key + "\" must be " + expected + ", got "
                    + describe(value));
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long v)) {
                throw new SafetensorsFormatException(file, where + ": \"" + key + "\" must be " + expected
                        + ", got " + describe(value) + " (element " + i + " is " + Json.typeName(list.get(i)) + ")");
            }
            out[i] = v;
        }
        return out;
    }

    private static String describe(Object value) {
        String json = Json.write(value);
        return json.length() <= 80 ? json : json.substring(0, 77) + "...";
    }

    private static void checkTiling(Path file, List<SafetensorsEntry> sorted, long dataSize)
            throws SafetensorsFormatException {
        long covered = 0;
        SafetensorsEntry previous = null;
        for (SafetensorsEntry e : sorted) {
            if (e.begin() < covered) {
                throw new SafetensorsFormatException(file, "tensors '" + previous.name() + "' [" + previous.begin()
                        + ", " + previous.end() + ") and '" + e.name() + "' [" + e.begin() + ", " + e.end()
                        + ") overlap");
            }
            if (e.begin() > covered) {
                throw new SafetensorsFormatException(file, "data bytes [" + covered + ", " + e.begin() + ") "
                        + (previous == null ? "before the first tensor '" + e.name() + "'"
                                : "between tensors '" + previous.name() + "' and '" + e.name() + "'")
                        + " belong to no tensor (a hole; the reference implementation rejects it as"
                        + " MetadataIncompleteBuffer)");
            }
            covered = e.end();
            previous = e;
        }
        if (covered != dataSize) {
            throw new SafetensorsFormatException(file, "data section is " + dataSize + " bytes but the tensors cover only [0, "
                    + covered + "); the last " + (dataSize - covered) + " bytes belong to no tensor (the reference"
                    + " implementation rejects this as MetadataIncompleteBuffer)");
        }
    }
}
