package dev.sparkdit.datasets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Result rows as JSON lines, for {@code render-group} on a GPU box without Spark: one object per line,
 * keys and value types exactly the result table's ({@link ResultColumns}), so Spark reads the file with
 * the result schema ({@code spark.read().schema(ResultTable.SCHEMA).json(path)}) and gets the same rows.
 *
 * <p>Types: {@code seed} a JSON integer (64-bit); {@code width}, {@code height}, {@code steps}, token
 * counts, {@code group}, {@code attempt} 32-bit integers; times and {@code guidance} numbers;
 * {@code step_ms} an array of numbers; {@code gpu_ids} an array of integers; {@code image_uri} and
 * {@code error} a string or null; the rest strings. Reading is strict: a missing, unknown or mistyped
 * key fails with the key's name, since a silently defaulted timing would corrupt a benchmark.
 */
public final class ResultJsonLines {

    /** A repeated key is an error, not "the last one wins". */
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final JsonFactory FACTORY = MAPPER.getFactory();
    private static final Set<String> KNOWN = Set.copyOf(ResultColumns.ALL);

    private ResultJsonLines() {
    }

    /** One row as one line of JSON (no line terminator). */
    public static String toLine(ResultRow row) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField(ResultColumns.PROMPT_ID, row.promptId());
            g.writeNumberField(ResultColumns.SEED, row.seed());
            g.writeStringField(ResultColumns.IMAGE_URI, row.imageUri());
            g.writeNumberField(ResultColumns.WIDTH, row.width());
            g.writeNumberField(ResultColumns.HEIGHT, row.height());
            g.writeNumberField(ResultColumns.STEPS, row.steps());
            g.writeNumberField(ResultColumns.GUIDANCE, row.guidance());
            g.writeStringField(ResultColumns.MODEL, row.model());
            g.writeStringField(ResultColumns.PARALLEL_PLAN, row.parallelPlan());
            g.writeNumberField(ResultColumns.LOAD_MS, row.loadMs());
            g.writeNumberField(ResultColumns.TOKENIZE_MS, row.tokenizeMs());
            g.writeNumberField(ResultColumns.TEXT_ENCODE_MS, row.textEncodeMs());
            g.writeArrayFieldStart(ResultColumns.STEP_MS);
            for (double ms : row.stepMs()) {
                g.writeNumber(ms);
            }
            g.writeEndArray();
            g.writeNumberField(ResultColumns.DENOISE_MS, row.denoiseMs());
            g.writeNumberField(ResultColumns.DECODE_MS, row.decodeMs());
            g.writeNumberField(ResultColumns.WRITE_MS, row.writeMs());
            g.writeNumberField(ResultColumns.TOTAL_MS, row.totalMs());
            g.writeNumberField(ResultColumns.CLIP_TOKENS_TRUNCATED, row.clipTokensTruncated());
            g.writeNumberField(ResultColumns.T5_TOKENS_TRUNCATED, row.t5TokensTruncated());
            g.writeStringField(ResultColumns.HOST, row.host());
            g.writeArrayFieldStart(ResultColumns.GPU_IDS);
            for (int id : row.gpuIds()) {
                g.writeNumber(id);
            }
            g.writeEndArray();
            g.writeNumberField(ResultColumns.GROUP, row.group());
            g.writeNumberField(ResultColumns.ATTEMPT, row.attempt());
            g.writeStringField(ResultColumns.STATUS, row.status().wireName());
            g.writeStringField(ResultColumns.ERROR, row.error());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to a string", e);
        }
        return out.toString();
    }

    /**
     * Parses one line written by {@link #toLine}.
     *
     * @throws IllegalArgumentException naming the key and the value when the line is not a result row
     */
    public static ResultRow parseLine(String line) {
        JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("a result row must be a JSON object, got " + Quote.of(line));
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KNOWN.contains(key)) {
                throw new IllegalArgumentException("unknown key " + Quote.of(key) + "; result rows have " + ResultColumns.ALL);
            }
        }
        return new ResultRow(
                string(node, ResultColumns.PROMPT_ID, false),
                int64(node, ResultColumns.SEED),
                string(node, ResultColumns.IMAGE_URI, true),
                int32(node, ResultColumns.WIDTH),
                int32(node, ResultColumns.HEIGHT),
                int32(node, ResultColumns.STEPS),
                number(node, ResultColumns.GUIDANCE),
                string(node, ResultColumns.MODEL, false),
                string(node, ResultColumns.PARALLEL_PLAN, false),
                number(node, ResultColumns.LOAD_MS),
                number(node, ResultColumns.TOKENIZE_MS),
                number(node, ResultColumns.TEXT_ENCODE_MS),
                numbers(node, ResultColumns.STEP_MS),
                number(node, ResultColumns.DENOISE_MS),
                number(node, ResultColumns.DECODE_MS),
                number(node, ResultColumns.WRITE_MS),
                number(node, ResultColumns.TOTAL_MS),
                int32(node, ResultColumns.CLIP_TOKENS_TRUNCATED),
                int32(node, ResultColumns.T5_TOKENS_TRUNCATED),
                string(node, ResultColumns.HOST, false),
                int32s(node, ResultColumns.GPU_IDS),
                int32(node, ResultColumns.GROUP),
                int32(node, ResultColumns.ATTEMPT),
                ResultStatus.fromWireName(string(node, ResultColumns.STATUS, false)),
                string(node, ResultColumns.ERROR, true));
    }

    /** Writes {@code rows} to {@code file}, replacing it. */
    public static void write(Path file, List<ResultRow> rows) throws IOException {
        try (ResultLinesWriter writer = ResultLinesWriter.create(file)) {
            for (ResultRow row : rows) {
                writer.append(row);
            }
        }
    }

    /**
     * Reads every row of a JSON-lines file; blank lines are skipped.
     *
     * @throws IllegalArgumentException naming the file, the line number and the problem
     */
    public static List<ResultRow> read(Path file) throws IOException {
        List<ResultRow> rows = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    rows.add(parseLine(line));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + " line " + number + ": " + e.getMessage(), e);
                }
            }
        }
        return rows;
    }

    private static JsonNode field(JsonNode node, String key) {
        JsonNode value = node.get(key);
        if (value == null) {
            throw new IllegalArgumentException("missing key " + Quote.of(key));
        }
        return value;
    }

    private static String string(JsonNode node, String key, boolean nullable) {
        JsonNode v = field(node, key);
        if (v.isNull() && nullable) {
            return null;
        }
        if (!v.isTextual()) {
            throw mistyped(key, nullable ? "a string or null" : "a string", v);
        }
        return v.textValue();
    }

    private static long int64(JsonNode node, String key) {
        JsonNode v = field(node, key);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw mistyped(key, "a 64-bit integer", v);
        }
        return v.longValue();
    }

    private static int int32(JsonNode node, String key) {
        return int32(key, field(node, key));
    }

    private static int int32(String key, JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw mistyped(key, "a 32-bit integer", v);
        }
        return v.intValue();
    }

    private static double number(JsonNode node, String key) {
        return number(key, field(node, key));
    }

    private static double number(String key, JsonNode v) {
        if (!v.isNumber()) {
            throw mistyped(key, "a number", v);
        }
        return v.doubleValue();
    }

    private static List<Double> numbers(JsonNode node, String key) {
        JsonNode v = field(node, key);
        if (!v.isArray()) {
            throw mistyped(key, "an array of numbers", v);
        }
        List<Double> out = new ArrayList<>(v.size());
        for (JsonNode e : v) {
            out.add(number(key + " entry", e));
        }
        return out;
    }

    private static List<Integer> int32s(JsonNode node, String key) {
        JsonNode v = field(node, key);
        if (!v.isArray()) {
            throw mistyped(key, "an array of integers", v);
        }
        List<Integer> out = new ArrayList<>(v.size());
        for (JsonNode e : v) {
            out.add(int32(key + " entry", e));
        }
        return out;
    }

    private static IllegalArgumentException mistyped(String key, String expected, JsonNode got) {
        return new IllegalArgumentException("key " + Quote.of(key) + " must be " + expected + ", got " + got);
    }
}
