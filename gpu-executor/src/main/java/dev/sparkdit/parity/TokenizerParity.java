package dev.sparkdit.parity;

import dev.sparkdit.models.ConfigJson;
import dev.sparkdit.safetensors.SafetensorsFile;
import dev.sparkdit.tokenizers.ClipTokenizer;
import dev.sparkdit.tokenizers.TextTokenizer;
import dev.sparkdit.tokenizers.T5Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tokenizers case: every prompt of config.json through CLIP (padded to 77) and T5 (padded to the case's length),
 * each loaded both ways (tokenizer.json, and vocab.json + merges.txt or spiece.model where the folder has them),
 * against the reference's ids. The reported "error" is the count of differing ids (0 passes).
 */
public final class TokenizerParity {
    private TokenizerParity() {
    }

    public static boolean isCase(ParityCase c) {
        return c.config().containsKey("prompts") && Files.isDirectory(c.dir().resolve("clip"))
                && Files.isDirectory(c.dir().resolve("t5"));
    }

    public static List<ParityResult> run(ParityCase c) throws IOException {
        List<String> prompts = new ConfigJson(c.dir().resolve("config.json").toString(), c.config()).stringList("prompts");
        int[] clipIds;
        int[] t5Ids;
        int t5Length;
        try (SafetensorsFile io = SafetensorsFile.open(c.io())) {
            clipIds = CaseTensors.ints(io, "clip_input_ids");
            t5Ids = CaseTensors.ints(io, "t5_input_ids");
            t5Length = (int) CaseTensors.shape(io, "t5_input_ids")[1];
        }
        Path clip = c.dir().resolve("clip");
        Path t5 = c.dir().resolve("t5");
        List<ParityResult> out = new ArrayList<>();
        out.add(compare(c, "clip_input_ids (tokenizer.json)", ClipTokenizer.fromTokenizerJson(clip.resolve("tokenizer.json")),
                prompts, 77, clipIds));
        if (Files.isRegularFile(clip.resolve("vocab.json"))) {
            out.add(compare(c, "clip_input_ids (vocab.json + merges.txt)", ClipTokenizer.fromVocabAndMerges(
                    clip.resolve("vocab.json"), clip.resolve("merges.txt")), prompts, 77, clipIds));
        }
        out.add(compare(c, "t5_input_ids (tokenizer.json)", T5Tokenizer.fromTokenizerJson(t5.resolve("tokenizer.json")),
                prompts, t5Length, t5Ids));
        if (Files.isRegularFile(t5.resolve("spiece.model"))) {
            out.add(compare(c, "t5_input_ids (spiece.model)", T5Tokenizer.fromSentencePiece(t5.resolve("spiece.model")),
                    prompts, t5Length, t5Ids));
        }
        return out;
    }

    private static ParityResult compare(ParityCase c, String output, TextTokenizer tok, List<String> prompts, int length,
                                        int[] expected) {
        long differing = 0;
        for (int p = 0; p < prompts.size(); p++) {
            int[] ids = tok.encode(prompts.get(p), length).ids();
            for (int i = 0; i < length; i++) {
                if (ids[i] != expected[p * length + i]) {
                    differing++;
                }
            }
        }
        return new ParityResult(c.name(), output, "host", "ids", "1",
                new ErrorStats(differing, differing, (long) prompts.size() * length, 0), 0.5);
    }
}
