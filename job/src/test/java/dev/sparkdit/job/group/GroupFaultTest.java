package dev.sparkdit.job.group;

import dev.sparkdit.cli.Main;
import dev.sparkdit.datasets.RenderRequest;
import dev.sparkdit.datasets.ResultJsonLines;
import dev.sparkdit.datasets.ResultRow;
import dev.sparkdit.datasets.ResultStatus;
import dev.sparkdit.options.RunOptions;
import dev.sparkdit.pipeline.FluxPipeline;
import dev.sparkdit.pipeline.PipelineSource;
import dev.sparkdit.runner.RankFailedException;
import dev.sparkdit.runner.RankGroup;
import dev.sparkdit.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rank that throws mid-render, without Spark: render-group's threads (2 ranks of one group, Gloo, random:tiny,
 * 16 x 16, 2 steps). Rank 1 throws after step 1 of its second prompt while rank 0 goes on into the next collective;
 * the collective timeout is the default 300 s, so only the abort makes the call end within 30 s. Then render-group
 * on the same output renders only what is missing.
 */
class GroupFaultTest {
    @TempDir
    Path tmp;

    private static final int PROMPTS = 4;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aRankThatThrowsFailsItsGroupWithinSecondsNamingItAndARerunFinishes() throws Exception {
        Path out = tmp.resolve("out");
        List<RenderRequest> requests = new ArrayList<>();
        List<Integer> groupOf = new ArrayList<>();
        for (int i = 1; i <= PROMPTS; i++) {
            requests.add(new RenderRequest(String.format("line-%06d", i), "a tiny test prompt number " + i, "a tiny test prompt number " + i,
                    100 + i, 16, 16, 2, 3.5));
            groupOf.add(0);
        }
        RunOptions options = RunOptions.from(Map.of("sparkdit.backend", "cpu"));
        assertEquals(300, options.collectiveTimeout().toSeconds(), "the default timeout: only an abort is fast");
        FaultInjection fault = FaultInjection.parse("rank=1,prompt=1,step=1");
        JobSettings settings = new JobSettings("random:tiny", options.toMap(), 1, 2, 1, 16, 16, 2, 16, fault);
        GroupRunFile run = new GroupRunFile(settings, requests, groupOf, out.toString());
        long scratch = FluxPipeline.scratchBytes(PipelineSource.of("random:tiny").config(), settings.limits(),
                settings.plan(), DType.F32);
        StringWriter log = new StringWriter();

        long t0 = System.nanoTime();
        RankFailedException e = assertThrows(RankFailedException.class, () -> RankGroup.runThreads(settings.plan(),
                options, scratch, GroupRun.body(run, new PrintWriter(log, true))));
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("GroupFaultTest: the group failed %.1f s after it started (model load included)%n", seconds);
        assertTrue(seconds < 30, "the group took " + seconds + " s to fail");

        // The first failure thrown is the cause, naming the rank; rank 0's, its consequence, is suppressed in it.
        assertEquals(1, e.rank());
        assertTrue(e.getMessage().startsWith("rank 1 of 2 failed: injected fault"), e.getMessage());
        assertTrue(e.getCause() instanceof FaultInjection.InjectedFault, String.valueOf(e.getCause()));
        assertEquals(1, e.getSuppressed().length, Arrays.toString(e.getSuppressed()));
        String peer = e.getSuppressed()[0].getMessage();
        assertTrue(peer.startsWith("rank 0 of 2 failed: gloo: "), peer);
        assertTrue(peer.contains("(rank 1 of 2 failed: injected fault"), "rank 0's error quotes rank 1's: " + peer);

        // The prompt rendered before the fault is committed: its image and its row, nothing half-written.
        List<String> images = files(out.resolve("images"));
        assertEquals(1, images.size(), "only the first prompt was finished: " + images);
        assertEquals(List.of(new PromptWork(requests.get(0)).rowName()), files(out.resolve("rows")));
        FileTime first = Files.getLastModifiedTime(out.resolve("images").resolve(images.get(0)));

        // render-group (the CLI) on the same output renders the other three and keeps the first.
        Path promptFile = tmp.resolve("prompts.txt");
        StringBuilder lines = new StringBuilder();
        for (RenderRequest r : requests) {
            lines.append(r.prompt()).append('\n');
        }
        Files.writeString(promptFile, lines.toString());
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"render-group", "--model", "random:tiny", "--prompts",
                promptFile.toString(), "--out", out.toString(), "--gpus-per-group", "2", "--width", "16", "--height",
                "16", "--steps", "2", "--max-sequence-length", "16", "--backend", "cpu"},
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true,
                        StandardCharsets.UTF_8));
        String said = stdout.toString(StandardCharsets.UTF_8) + stderr.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, said);
        assertTrue(said.contains("4 ok, 0 failed"), said);
        assertEquals(PROMPTS, files(out.resolve("images")).size(), files(out.resolve("images")).toString());
        assertEquals(first, Files.getLastModifiedTime(out.resolve("images").resolve(images.get(0))),
                "the committed image was not rendered again");
        List<ResultRow> rows = ResultJsonLines.read(out.resolve("results.jsonl"));
        Map<String, Integer> perPrompt = new HashMap<>();
        for (ResultRow r : rows) {
            assertEquals(ResultStatus.OK, r.status(), r.error());
            perPrompt.merge(r.promptId(), 1, Integer::sum);
        }
        assertEquals(PROMPTS, perPrompt.size(), perPrompt.toString());
        assertTrue(perPrompt.values().stream().allMatch(n -> n == 1), perPrompt.toString());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aChildRankProcessThatDiesFailsTheRunWithinSecondsNamingIt() throws Exception {
        Path promptFile = tmp.resolve("prompts.txt");
        Files.writeString(promptFile, "a tiny test prompt\nanother tiny test prompt\n");
        Path out = tmp.resolve("out");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        // Rank 1, a child JVM, halts (as if killed with SIGKILL) after step 1 of its first prompt; rank 0 waits in
        // a collective with the default 300 s timeout.
        int status = Main.run(new String[] {"render-group", "--model", "random:tiny", "--prompts",
                promptFile.toString(), "--out", out.toString(), "--gpus-per-group", "2", "--processes", "--width", "16",
                "--height", "16", "--steps", "2", "--max-sequence-length", "16", "--backend", "cpu",
                "--inject-fault", "rank=1,prompt=0,step=1,kind=halt"},
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true,
                        StandardCharsets.UTF_8));
        double seconds = (System.nanoTime() - t0) / 1e9;
        String said = stdout.toString(StandardCharsets.UTF_8) + stderr.toString(StandardCharsets.UTF_8);
        System.out.printf("GroupFaultTest: a child rank halted; render-group failed after %.1f s: %s%n", seconds,
                said.lines().filter(l -> l.contains("exited with status")).findFirst().orElse(said));
        assertEquals(2, status, said);
        assertTrue(seconds < 30, "render-group took " + seconds + " s");
        assertTrue(said.contains("render-group: rank 1 (pid ") && said.contains(") exited with status 137"), said);
    }

    @Test
    void theFaultTravelsToChildRanksInTheRunFile() throws Exception {
        JobSettings settings = new JobSettings("random:tiny", RunOptions.from(Map.of()).toMap(), 1, 2, 1, 16, 16, 2,
                16, FaultInjection.parse("rank=1,prompt=0,step=2,attempt=0"));
        GroupRunFile run = new GroupRunFile(settings, List.of(new RenderRequest("a", "b", "b", 1, 16, 16, 2, 3.5)),
                List.of(0), tmp.toString());
        run.write(tmp.resolve("run.json"));
        assertEquals(settings, GroupRunFile.read(tmp.resolve("run.json")).settings());
        JobSettings plain = new JobSettings("random:tiny", RunOptions.from(Map.of()).toMap(), 1, 2, 1, 16, 16, 2, 16);
        new GroupRunFile(plain, run.prompts(), run.groupOfPrompt(), tmp.toString()).write(tmp.resolve("plain.json"));
        assertEquals(plain, GroupRunFile.read(tmp.resolve("plain.json")).settings());
    }

    @Test
    void faultSpecsParseAndBadOnesAreNamed() {
        assertEquals(new FaultInjection(1, 2, 3, FaultInjection.ANY_ATTEMPT), FaultInjection.parse("rank=1,prompt=2,step=3"));
        assertEquals(new FaultInjection(1, 0, 1, 0), FaultInjection.parse(" rank=1, prompt=0, step=1, attempt=0"));
        assertEquals("rank=1,prompt=0,step=1,attempt=0", FaultInjection.parse("rank=1,prompt=0,step=1,attempt=0").spec());
        assertEquals(new FaultInjection(2, 0, 1, FaultInjection.ANY_ATTEMPT, FaultInjection.Kind.HALT),
                FaultInjection.parse("rank=2,prompt=0,step=1,kind=HALT"));
        assertEquals("rank=2,prompt=0,step=1,kind=halt", FaultInjection.parse("rank=2,prompt=0,step=1,kind=halt").spec());
        for (String bad : List.of("", "rank=1", "rank=1,prompt=0,step=0", "rank=1,prompt=0,step=1,oops=2",
                "rank=x,prompt=0,step=1", "rank=1,rank=2,prompt=0,step=1", "rank=1,prompt=0,step=1,kind=explode")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FaultInjection.parse(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    private static List<String> files(Path dir) throws java.io.IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
