package dev.sparkdit.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a new user hits on the command line: help, bad values, exit statuses, files not overwritten. */
class CliUsageTest {
    @TempDir
    Path tmp;

    private static ParityCommandTest.Result run(String... args) {
        return ParityCommandTest.run(args);
    }

    @Test
    void helpListsCommandsAndUnknownOnesExitTwo() {
        ParityCommandTest.Result help = run("--help");
        assertEquals(0, help.status());
        for (String c : new String[] {"parity", "make-case", "bench"}) {
            assertTrue(help.out().contains(c), help.out());
        }
        assertFalse(help.out().contains("parity-rank"), "internal commands stay out of the list");
        assertEquals(0, run("help", "parity").status());
        ParityCommandTest.Result nope = run("help", "nope");
        assertEquals(2, nope.status());
        assertTrue(nope.err().contains("nope"), nope.err());
        ParityCommandTest.Result unknown = run("frobnicate");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("frobnicate"), unknown.err());
        assertEquals(2, run().status(), "no command is bad usage");
    }

    @Test
    void commandHelpShowsDefaults() {
        ParityCommandTest.Result r = run("bench", "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("default: 1024"), r.out());
        assertTrue(r.out().contains("--conf"), r.out());
    }

    @Test
    void badNumbersAndValuesAreNamedBeforeAnythingLoads() {
        ParityCommandTest.Result ranks = run("bench", "--ranks", "0");
        assertEquals(2, ranks.status());
        assertTrue(ranks.err().contains("--ranks must be >= 1, got 0"), ranks.err());
        ParityCommandTest.Result dtype = run("bench", "--dtype", "f16", "--layers", "1", "--single-layers", "1");
        assertEquals(2, dtype.status());
        assertTrue(dtype.err().contains("sparkdit.dtype=f16") && dtype.err().contains("f32 or bf16"), dtype.err());
        ParityCommandTest.Result conf = run("bench", "--conf", "sparkdit.gemm.candidates=99");
        assertEquals(2, conf.status());
        assertTrue(conf.err().contains("sparkdit.gemm.candidates=99"), conf.err());
        ParityCommandTest.Result notInt = run("bench", "--steps", "many");
        assertEquals(2, notInt.status());
        assertTrue(notInt.err().contains("many"), notInt.err());
    }

    @Test
    void makeCaseRefusesToOverwriteAndNamesUnusableFolders() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("case"));
        Files.writeString(dir.resolve("config.json"), "{}");
        ParityCommandTest.Result r = run("make-case", "--out", dir.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--force"), r.err());
        assertEquals("{}", Files.readString(dir.resolve("config.json")), "nothing overwritten");
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        ParityCommandTest.Result under = run("make-case", "--out", file.resolve("sub").toString());
        assertEquals(2, under.status());
        assertTrue(under.err().contains("cannot create the case folder") && under.err().contains("plain-file"),
                under.err());
    }

    @Test
    void aMissingTensorIsASentenceNotAClassName() throws Exception {
        Path src = Path.of(ParityCommandTest.golden("flux_tiny_schnell"));
        Path dir = Files.createDirectories(tmp.resolve("broken"));
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(src.resolve("weights.safetensors"), dir.resolve("weights.safetensors"));
        // another case's io: it lacks nothing but has the wrong sizes, so use the weights file as io (no inputs)
        Files.copy(src.resolve("weights.safetensors"), dir.resolve("io.safetensors"));
        ParityCommandTest.Result r = run("parity", "--case", dir.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no tensor named 'hidden_states'"), r.err());
        assertFalse(r.err().contains("NoSuchTensorException"), r.err());
    }
}
