package dev.sparkdit.cli;

import dev.sparkdit.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sparkdit parity} as a user runs it: output format and exit status. */
class ParityCommandTest {
    @TempDir
    Path tmp;

    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String golden(String name) throws Exception {
        return Path.of(ParityCommandTest.class.getResource("/golden/" + name + "/config.json").toURI())
                .getParent().toString();
    }

    @Test
    void jsonLinesCarryCaseOutputAndErrors() throws Exception {
        Result r = run("parity", "--case", golden("flux_tiny_schnell"), "--json");
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(1, lines.length);
        Map<String, Object> m = Json.asMap(Json.parse(lines[0]), "line");
        assertEquals("flux_tiny_schnell", m.get("case"));
        assertEquals("output", m.get("output"));
        assertTrue(Json.asDouble(m.get("rel_l2"), "rel_l2") <= 1e-5);
        assertTrue(Json.asDouble(m.get("max_abs"), "max_abs") < 1e-3);
        assertEquals(Boolean.TRUE, m.get("pass"));
    }

    @Test
    void tableAndExitOneWhenToleranceIsExceeded() throws Exception {
        Result r = run("parity", "--case", golden("flux_tiny_dev"), "--tol", "1e-12");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.out().contains("rel_l2"), r.out());
        assertTrue(r.out().contains("FAIL"), r.out());
    }

    @Test
    void badUsageNamesTheValueAndExitsTwo() throws Exception {
        Result dtype = run("parity", "--case", golden("flux_tiny_dev"), "--dtype", "int4");
        assertEquals(2, dtype.status());
        assertTrue(dtype.err().contains("int4"), dtype.err());
        Result missing = run("parity", "--case", tmp.resolve("nope").toString());
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("nope"), missing.err());
        Result unknown = run("parity", "--case", golden("flux_tiny_dev"), "--frobnicate");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("--frobnicate"), unknown.err());
        Result degrees = run("parity", "--case", golden("flux_tiny_dev"), "--ranks", "4", "--ulysses", "3", "--ring", "1");
        assertEquals(2, degrees.status());
        assertTrue(degrees.err().contains("--ulysses 3 x --ring 1 = 3 ranks, but --ranks is 4"), degrees.err());
    }

    @Test
    void aCaseOfNoKnownKindIsRefusedByName() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("t5_case"));
        Files.writeString(dir.resolve("config.json"), "{\"d_model\": 64}");
        Files.write(dir.resolve("weights.safetensors"), new byte[0]);
        Files.write(dir.resolve("io.safetensors"), new byte[0]);
        Result r = run("parity", "--case", dir.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("t5_case") && r.err().contains("none of the case kinds parity knows"), r.err());
    }
}
