package dev.sparkdit.usp;

import dev.sparkdit.config.Setting;
import dev.sparkdit.config.Settings;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the sequence-parallel strategies run (part of the run options, docs/options.md). Every rank of a
 * group must be given the same values.
 *
 * @param ulyssesChunks head chunks of Ulysses' pipelined exchange on the even path (1 = no pipelining).
 *                      Measured on 2x H200 at the FLUX.1-dev shape (2026-11-22): 3 chunks hid about 6 ms of
 *                      all-to-all per step but cost 8 ms of attention (a third of the heads fills a third of
 *                      the grid, and NCCL's blocks share the SMs), 84.0 against 80.4 ms per step; hence 1
 * @param peerWindow    exchange q/k/v through a {@link dev.sparkdit.usp.comm.PeerWindow} where the group can
 *                      open one; off: always the communicator's all-to-all
 * @param replicaSplit  ranks holding the same conditioning vector split the replicated work
 *                      ({@link SequenceAttention#replicas()}); off: every rank does all of it (A/B runs)
 * @param directBack    local attention in a peer window stores its output's row parts straight into their
 *                      owners' windows; off: into scratch, then copied (A/B runs)
 */
public record SequenceOptions(int ulyssesChunks, boolean peerWindow, boolean replicaSplit, boolean directBack) {

    public static final Setting<Integer> ULYSSES_CHUNKS = new Setting<>("sparkdit.ulysses.chunks", 1,
            Settings.intIn(1, 64), "head chunks of Ulysses' pipelined all-to-all (1 = not pipelined)");
    public static final Setting<Boolean> PEER_WINDOW = new Setting<>("sparkdit.ulysses.peer-window", true,
            Settings.onOff(), "Ulysses writes q/k/v straight into its peers' GPU memory where it can");
    public static final Setting<Boolean> REPLICA_SPLIT = new Setting<>("sparkdit.ulysses.replica-split", true,
            Settings.onOff(), "a Ulysses group splits the step's modulation GEMVs and all-gathers them");
    public static final Setting<Boolean> DIRECT_BACK = new Setting<>("sparkdit.ulysses.direct-back", true,
            Settings.onOff(), "attention stores its output rows straight into their owners' peer windows");

    public static final List<Setting<?>> SETTINGS = List.of(ULYSSES_CHUNKS, PEER_WINDOW, REPLICA_SPLIT, DIRECT_BACK);

    public static final SequenceOptions DEFAULTS = new SequenceOptions(ULYSSES_CHUNKS.defaultValue(),
            PEER_WINDOW.defaultValue(), REPLICA_SPLIT.defaultValue(), DIRECT_BACK.defaultValue());

    public SequenceOptions {
        if (ulyssesChunks < 1) {
            throw new IllegalArgumentException(ULYSSES_CHUNKS.key() + " must be >= 1, got " + ulyssesChunks);
        }
    }

    /** The values in {@code conf} ({@code sparkdit.*} keys), defaults for the rest. */
    public static SequenceOptions from(Map<String, String> conf) {
        return new SequenceOptions(ULYSSES_CHUNKS.read(conf), PEER_WINDOW.read(conf), REPLICA_SPLIT.read(conf),
                DIRECT_BACK.read(conf));
    }

    /** The inverse of {@link #from}: every key with its value. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(ULYSSES_CHUNKS.key(), ULYSSES_CHUNKS.format(ulyssesChunks));
        m.put(PEER_WINDOW.key(), PEER_WINDOW.format(peerWindow));
        m.put(REPLICA_SPLIT.key(), REPLICA_SPLIT.format(replicaSplit));
        m.put(DIRECT_BACK.key(), DIRECT_BACK.format(directBack));
        return m;
    }

    public SequenceOptions withPeerWindow(boolean on) {
        return new SequenceOptions(ulyssesChunks, on, replicaSplit, directBack);
    }

    public SequenceOptions withUlyssesChunks(int chunks) {
        return new SequenceOptions(chunks, peerWindow, replicaSplit, directBack);
    }
}
