package dev.sparkdit.job.conf;

import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * conf/gpu-discovery.sh with a fake nvidia-smi on PATH: its output is what Spark's own parser of discovery output
 * ({@code ResourceInformation.parseJson}) reads as the gpu resource; CUDA_VISIBLE_DEVICES renumbers; a missing or
 * failing nvidia-smi is a message on stderr and exit status 1.
 */
class GpuDiscoveryScriptTest {
    static final Path SCRIPT = Path.of("..", "conf", "gpu-discovery.sh").toAbsolutePath().normalize();

    @TempDir
    static Path bin;

    @TempDir
    static Path empty;

    @BeforeAll
    static void fakeNvidiaSmi() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "no /bin/bash");
        Path smi = bin.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/bash\n"
                + "[[ \"$*\" == '--query-gpu=index --format=csv,noheader' ]] || { echo \"unexpected: $*\" >&2; exit 9; }\n"
                + "if [[ -n \"${FAKE_SMI_FAIL:-}\" ]]; then echo 'NVIDIA-SMI has failed because it could not"
                + " communicate with the NVIDIA driver.'; exit 9; fi\n"
                + "printf '0\\n1\\n2\\n3\\n'\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    record Run(int status, String out, String err) {
    }

    static Run run(boolean withSmi, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", SCRIPT.toString());
        pb.environment().remove("CUDA_VISIBLE_DEVICES");
        // Only the fake nvidia-smi on PATH (or nothing), so that a machine's real one never answers.
        pb.environment().put("PATH", (withSmi ? bin : empty).toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the script did not finish");
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    static ResourceInformation parsed(Run r) {
        assertEquals(0, r.status(), r.err());
        ResourceInformation info = ResourceInformation.parseJson(r.out());
        assertEquals("gpu", info.name());
        return info;
    }

    @Test
    void everyGpuThatNvidiaSmiListsIsAnAddress() throws Exception {
        Run r = run(true, Map.of());
        assertEquals("{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\",\"2\",\"3\"]}\n", r.out());
        assertArrayEquals(new String[] {"0", "1", "2", "3"}, parsed(r).addresses());
    }

    @Test
    void visibleDevicesAreRenumberedFromZeroAsCudaDoes() throws Exception {
        assertArrayEquals(new String[] {"0", "1"},
                parsed(run(true, Map.of("CUDA_VISIBLE_DEVICES", "2,3"))).addresses());
        assertArrayEquals(new String[] {"0"}, parsed(run(true, Map.of("CUDA_VISIBLE_DEVICES", "3"))).addresses());
        assertArrayEquals(new String[] {"0", "1"},
                parsed(run(true, Map.of("CUDA_VISIBLE_DEVICES", "GPU-1b2c,MIG-3d4e"))).addresses());
    }

    @Test
    void noGpuIsAnErrorOnStderr() throws Exception {
        for (Map<String, String> env : List.of(Map.of("CUDA_VISIBLE_DEVICES", ""),
                Map.of("CUDA_VISIBLE_DEVICES", "7"), Map.of("FAKE_SMI_FAIL", "1"))) {
            Run r = run(true, env);
            assertEquals(1, r.status(), env + ": " + r.out());
            assertEquals("", r.out(), env.toString());
            assertTrue(r.err().startsWith("gpu-discovery.sh: "), env + ": " + r.err());
        }
        assertTrue(run(true, Map.of("FAKE_SMI_FAIL", "1")).err().contains("could not communicate"));
    }

    @Test
    void withoutNvidiaSmiItSaysSo() throws Exception {
        Run r = run(false, Map.of());
        assertEquals(1, r.status());
        assertEquals("", r.out());
        assertTrue(r.err().contains("nvidia-smi not found"), r.err());
    }
}
