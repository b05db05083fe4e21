package dev.sparkdit.parity;

import dev.sparkdit.tensor.DType;

import java.nio.file.Path;

/** Runs a case folder through the parity path and returns its relative L2 error. */
public final class FluxParityFixtures {
    private FluxParityFixtures() {
    }

    public static double relL2(Path caseDir, String backend, DType dtype) throws Exception {
        return FluxParity.run(ParityCase.open(caseDir), ParityOptions.single(backend, dtype)).get(0).error().relL2();
    }
}
