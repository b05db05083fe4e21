package dev.sparkdit.tokenizers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a SentencePiece {@code .model} file (a {@code ModelProto}, protobuf) that tokenizing
 * needs, read by hand. Field numbers from sentencepiece_model.proto:
 * <pre>
 * ModelProto      1 pieces (repeated SentencePiece)   2 trainer_spec   3 normalizer_spec
 * SentencePiece   1 piece (string)   2 score (float)   3 type (enum: 1 normal, 2 unknown, 3 control,
 *                 4 user defined, 5 unused, 6 byte)
 * TrainerSpec     3 model_type (1 unigram, 2 BPE, 3 word, 4 char)   35 byte_fallback
 *                 40 unk_id   41 bos_id   42 eos_id   43 pad_id
 *                 45 unk_piece   46 bos_piece   47 eos_piece   48 pad_piece
 * NormalizerSpec  1 name   2 precompiled_charsmap (bytes)   3 add_dummy_prefix   4 remove_extra_whitespaces
 *                 5 escape_whitespaces
 * </pre>
 * Every other field is skipped.
 */
final class SentencePieceModelFile {
    static final String FILE_NAME = "spiece.model";

    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNIGRAM = 1;

    final Path file;
    final List<String> pieces = new ArrayList<>();
    final List<Float> scores = new ArrayList<>();
    final List<Integer> types = new ArrayList<>();
    int modelType = UNIGRAM;
    boolean byteFallback;
    int unkId = 0;
    int eosId = 2;
    int padId = -1;
    String eosPiece = "</s>";
    String padPiece = "<pad>";
    String normalizerName = "";
    byte[] precompiledCharsMap = new byte[0];
    boolean addDummyPrefix = true;
    boolean removeExtraWhitespaces = true;
    boolean escapeWhitespaces = true;

    private SentencePieceModelFile(Path file) {
        this.file = file;
    }

    static SentencePieceModelFile read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TokenizerFileException(file, "no such file", e);
        }
        SentencePieceModelFile m = new SentencePieceModelFile(file);
        ProtobufReader r = new ProtobufReader(bytes, 0, bytes.length, file, "ModelProto");
        boolean sawTrainerSpec = false;
        boolean sawNormalizerSpec = false;
        while (r.next()) {
            switch (r.field()) {
                case 1:
                    m.readPiece(r.message("SentencePiece"));
                    break;
                case 2:
                    m.readTrainerSpec(r.message("TrainerSpec"));
                    sawTrainerSpec = true;
                    break;
                case 3:
                    m.readNormalizerSpec(r.message("NormalizerSpec"));
                    sawNormalizerSpec = true;
                    break;
                default:
                    r.skip();
            }
        }
        if (m.pieces.isEmpty()) {
            throw new TokenizerFileException(file, "no pieces (field 1 of ModelProto); not a SentencePiece model?");
        }
        // The specs are written after the pieces, so a file cut short can end cleanly between two pieces.
        if (!sawTrainerSpec || !sawNormalizerSpec) {
            throw new TokenizerFileException(file, bytes.length + " bytes, " + m.pieces.size() + " pieces, and no "
                    + (sawTrainerSpec ? "normalizer_spec (field 3)" : "trainer_spec (field 2)")
                    + " after them; a SentencePiece model has both (truncated file?)");
        }
        return m;
    }

    private void readPiece(ProtobufReader r) throws TokenizerFileException {
        String piece = null;
        float score = 0f;
        int type = NORMAL;
        while (r.next()) {
            switch (r.field()) {
                case 1:
                    piece = r.string();
                    break;
                case 2:
                    score = r.float32();
                    break;
                case 3:
                    type = r.int32();
                    break;
                default:
                    r.skip();
            }
        }
        if (piece == null || piece.isEmpty()) {
            throw new TokenizerFileException(file, "piece " + pieces.size()
                    + " has no text (field 1 of SentencePiece)");
        }
        pieces.add(piece);
        scores.add(score);
        types.add(type);
    }

    private void readTrainerSpec(ProtobufReader r) throws TokenizerFileException {
        while (r.next()) {
            switch (r.field()) {
                case 3:
                    modelType = r.int32();
                    break;
                case 35:
                    byteFallback = r.bool();
                    break;
                case 40:
                    unkId = r.int32();
                    break;
                case 42:
                    eosId = r.int32();
                    break;
                case 43:
                    padId = r.int32();
                    break;
                case 47:
                    eosPiece = r.string();
                    break;
                case 48:
                    padPiece = r.string();
                    break;
                default:
                    r.skip();
            }
        }
    }

    private void readNormalizerSpec(ProtobufReader r) throws TokenizerFileException {
        while (r.next()) {
            switch (r.field()) {
                case 1:
                    normalizerName = r.string();
                    break;
                case 2:
                    precompiledCharsMap = r.bytesField();
                    break;
                case 3:
                    addDummyPrefix = r.bool();
                    break;
                case 4:
                    removeExtraWhitespaces = r.bool();
                    break;
                case 5:
                    escapeWhitespaces = r.bool();
                    break;
                default:
                    r.skip();
            }
        }
    }
}
