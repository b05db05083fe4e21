package dev.sparkdit.parity;

import dev.sparkdit.models.flux.FluxConfig;

import java.io.IOException;
import java.util.List;

/**
 * Every kind of case folder the golden data has, recognised from its files: the FLUX transformer, T5, CLIP, the VAE
 * decoder, the scheduler, the tokenizers, the pipeline from embeddings and the pipeline from text.
 */
public final class ParityCases {
    private ParityCases() {
    }

    /** The case's kind, or null when none matches. */
    public static String kind(ParityCase c) {
        if (FluxConfig.isFluxConfig(c.config())) {
            return "flux";
        }
        if (T5Parity.isCase(c)) {
            return "t5";
        }
        if (ClipParity.isCase(c)) {
            return "clip";
        }
        if (VaeParity.isCase(c)) {
            return "vae";
        }
        if (PipelineParity.isTextCase(c)) {
            return "pipeline-text";
        }
        if (PipelineParity.isCase(c)) {
            return "pipeline";
        }
        if (TokenizerParity.isCase(c)) {
            return "tokenizers";
        }
        if (SchedulerParity.isCase(c)) {
            return "scheduler";
        }
        return null;
    }

    /** Runs the case as its kind asks; an unknown kind is an error naming what was looked for. */
    public static List<ParityResult> run(ParityCase c, ParityOptions opt) throws IOException {
        String kind = kind(c);
        if (kind == null) {
            throw new IllegalArgumentException("case " + c.dir() + ": config.json is none of the case kinds parity"
                    + " knows (FLUX transformer, T5, CLIP, VAE, scheduler, tokenizers, pipeline, pipeline from text)");
        }
        return switch (kind) {
            case "flux" -> FluxParity.run(c, opt);
            case "t5" -> T5Parity.run(c, opt);
            case "clip" -> ClipParity.run(c, opt);
            case "vae" -> VaeParity.run(c, opt);
            case "pipeline" -> PipelineParity.run(c, opt);
            case "pipeline-text" -> PipelineParity.runText(c, opt);
            case "tokenizers" -> TokenizerParity.run(c);
            case "scheduler" -> SchedulerParity.run(c);
            default -> throw new IllegalStateException(kind);
        };
    }

    /** Whether the kind's runner is host arithmetic only (no backend takes part). */
    public static boolean hostOnly(String kind) {
        return kind.equals("scheduler") || kind.equals("tokenizers");
    }

    /** Whether the kind's runner honours --ranks (the others run on one device or on the host). */
    public static boolean shards(String kind) {
        return kind.equals("flux") || kind.startsWith("pipeline");
    }
}
