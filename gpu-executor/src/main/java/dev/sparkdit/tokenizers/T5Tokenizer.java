package dev.sparkdit.tokenizers;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * T5's SentencePiece unigram tokenizer (FLUX.1's {@code tokenizer_2/}), giving the ids transformers 5's
 * {@code T5Tokenizer} (= {@code T5TokenizerFast}) gives: the model's precompiled normalization
 * ({@code nmt_nfkc}), a cut at every whitespace run, {@code ▁} in front of each word, Viterbi
 * segmentation by piece scores, {@code </s>} (id 1) after the content, padding with {@code <pad>} (id 0).
 *
 * <p>That pipeline is the reference's own, whatever the file declares: transformers 5 takes only the
 * vocabulary, the charsmap and the special tokens from {@code tokenizer.json} and rebuilds the rest. An
 * older converter's file declares {@code Replace(" {2,}", " ")} + {@code Metaspace} instead of
 * {@code WhitespaceSplit} + {@code Metaspace}; the two differ only on whitespace at the end of the prompt
 * (the older one yields an extra {@code ▁} token), and this class follows the reference. A declared step
 * outside these is refused rather than silently dropped. See docs/tokenizers.md.
 *
 * <p>Loads from {@code tokenizer.json} or from {@code spiece.model} alone (parsed by hand), which give
 * identical ids.
 */
public final class T5Tokenizer extends PipelineTokenizer {
    /** T5's {@code model_max_length}, used when no tokenizer_config.json says otherwise. */
    public static final int DEFAULT_MAX_LENGTH = 512;
    /** T5's sentinel tokens {@code <extra_id_0..99>} when tokenizer_config.json does not say. */
    public static final int DEFAULT_EXTRA_IDS = 100;

    private T5Tokenizer(TokenizerPipeline pipeline) {
        super(pipeline);
    }

    /** From a Hugging Face {@code tokenizer.json} with a Unigram model. */
    public static T5Tokenizer fromTokenizerJson(Path file) throws IOException {
        TokenizerJson json = TokenizerJson.read(file);
        TokenizerConfig config = TokenizerConfig.read(folderOf(file));
        UnigramModel model = json.unigram();
        Normalizer normalizer = Normalizer.IDENTITY;
        for (Map.Entry<String, JsonNode> step : json.normalizerSteps().entrySet()) {
            String type = json.text(step.getValue(), step.getKey(), "type");
            if ("Precompiled".equals(type)) {
                normalizer = PrecompiledCharsMap.parse(json.precompiledBytes(step.getValue(), step.getKey()), file,
                        step.getKey() + ".precompiled_charsmap");
            } else if (!isSpaceCollapse(step.getValue())) {
                throw json.problem(step.getKey(), "normalizer '" + type + "' is not part of T5's pipeline"
                        + " (Precompiled, and the Replace(\" {2,}\", \" \") that its whitespace split covers)");
            }
        }
        Metaspace metaspace = null;
        for (Map.Entry<String, JsonNode> step : json.preTokenizerSteps().entrySet()) {
            String type = json.text(step.getValue(), step.getKey(), "type");
            if ("Metaspace".equals(type) && metaspace == null) {
                metaspace = json.metaspace(step.getValue(), step.getKey());
            } else if (!"WhitespaceSplit".equals(type)) {
                throw json.problem(step.getKey(), "pre_tokenizer '" + type + "' is not part of T5's pipeline"
                        + " (WhitespaceSplit, then one Metaspace)");
            }
        }
        if (metaspace == null) {
            throw json.problem("pre_tokenizer", "no Metaspace step; T5's pipeline needs one");
        }
        List<AddedToken> added = json.addedTokens();
        int[][] specials = json.specialIds();
        String pad = config.token("pad_token", "<pad>");
        int padId = TokenizerPipeline.idOf(pad, added, model);
        if (padId < 0) {
            throw new TokenizerFileException(file, "pad token '" + pad + "' (pad_token) is neither an added token"
                    + " nor in model.vocab");
        }
        return new T5Tokenizer(new TokenizerPipeline(added, normalizer,
                PreTokenizer.sequence(List.of(PreTokenizer.whitespaceSplit(), metaspace)), model, specials[0],
                specials[1], padId, config.modelMaxLength(DEFAULT_MAX_LENGTH), file.toString()));
    }

    private static boolean isSpaceCollapse(JsonNode step) {
        return "Replace".equals(step.path("type").asText())
                && " {2,}".equals(step.path("pattern").path("Regex").asText(null))
                && " ".equals(step.path("content").asText(null));
    }

    /** From a SentencePiece model file ({@code spiece.model}) alone. */
    public static T5Tokenizer fromSentencePiece(Path spieceModel) throws IOException {
        SentencePieceModelFile spm = SentencePieceModelFile.read(spieceModel);
        TokenizerConfig config = TokenizerConfig.read(folderOf(spieceModel));
        if (spm.modelType != SentencePieceModelFile.UNIGRAM) {
            throw new TokenizerFileException(spieceModel, "trainer_spec.model_type " + spm.modelType
                    + " is not implemented (T5's is 1, unigram)");
        }
        double[] scores = new double[spm.scores.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = spm.scores.get(i); // float32 widened exactly, as Python does when converting
        }
        int n = spm.pieces.size();
        if (spm.unkId < 0 || spm.unkId >= n) {
            throw new TokenizerFileException(spieceModel, "trainer_spec.unk_id " + spm.unkId + " outside the "
                    + n + " pieces");
        }
        UnigramModel model = new UnigramModel(spm.pieces, scores, spm.unkId, spm.byteFallback);
        List<AddedToken> added = new ArrayList<>();
        for (int id = 0; id < n; id++) {
            int type = spm.types.get(id);
            if (type == SentencePieceModelFile.CONTROL || type == SentencePieceModelFile.UNKNOWN) {
                added.add(new AddedToken(spm.pieces.get(id), id, true, false));
            } else if (type == SentencePieceModelFile.USER_DEFINED) {
                added.add(new AddedToken(spm.pieces.get(id), id, false, false));
            }
        }
        int extraIds = config.extraIds(DEFAULT_EXTRA_IDS);
        for (int i = 0; i < extraIds; i++) {
            // T5's convention: <extra_id_0> is the last id, <extra_id_{k-1}> the first after the pieces.
            added.add(new AddedToken("<extra_id_" + i + ">", n + extraIds - 1 - i, true, false));
        }
        String eos = config.token("eos_token", spm.eosPiece);
        String pad = config.token("pad_token", spm.padPiece);
        int eosId = model.id(eos);
        int padId = model.id(pad);
        if (eosId < 0 || padId < 0) {
            throw new TokenizerFileException(spieceModel, "has no piece '" + (eosId < 0 ? eos : pad) + "', the "
                    + (eosId < 0 ? "eos_token" : "pad_token"));
        }
        Normalizer normalizer = spm.precompiledCharsMap.length == 0 ? Normalizer.IDENTITY
                : PrecompiledCharsMap.parse(spm.precompiledCharsMap, spieceModel,
                        "normalizer_spec.precompiled_charsmap");
        PreTokenizer preTokenizer = PreTokenizer.sequence(List.of(PreTokenizer.whitespaceSplit(),
                new Metaspace('\u2581', spm.addDummyPrefix, true)));
        return new T5Tokenizer(new TokenizerPipeline(added, normalizer, preTokenizer, model, new int[0],
                new int[] {eosId}, padId, config.modelMaxLength(DEFAULT_MAX_LENGTH), spieceModel.toString()));
    }

    private static Path folderOf(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? Path.of(".") : parent;
    }
}
