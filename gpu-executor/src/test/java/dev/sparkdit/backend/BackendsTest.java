package dev.sparkdit.backend;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Backends are found by name through the provider list; one that cannot run says why, in words. */
class BackendsTest {
    @Test
    void bothProvidersAreFoundCudaFirstForAuto() {
        List<String> names = Backends.providers().stream().map(BackendProvider::name).toList();
        assertEquals(List.of("cuda", "cpu"), names);
    }

    @Test
    void withoutAGpuAutoIsTheCpuAndCudaSaysWhatIsMissing() {
        BackendProvider cuda = Backends.providers().get(0);
        if (cuda.unavailableReason() == null) {
            return; // a machine with a GPU: nothing to explain
        }
        assertEquals("cpu", Backends.choose("auto").name());
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.choose("cuda"));
        assertTrue(e.getMessage().startsWith("the cuda backend cannot run here: "), e.getMessage());
        assertTrue(e.getMessage().contains("libcuda.so.1") || e.getMessage().contains("no CUDA kernels"),
                "names the missing driver (or kernels), not JavaCPP's 'no jnicudart': " + e.getMessage());
        assertTrue(!e.getMessage().contains("jnicudart"), e.getMessage());
    }

    @Test
    void unknownNamesListWhatThisBuildHas() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.choose("tpu"));
        assertTrue(e.getMessage().contains("tpu") && e.getMessage().contains("cuda") && e.getMessage().contains("cpu"),
                e.getMessage());
    }
}
