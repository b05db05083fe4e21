package dev.sparkdit.tokenizers;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** One tokenizer shared by several threads (as tasks in an executor share it) gives the golden ids. */
class TokenizerThreadSafetyTest {

    @Test
    void sharedTokenizersGiveTheGoldenIdsFromManyThreads() throws Exception {
        GoldenTokenizerCase golden = GoldenTokenizerCase.load();
        ClipTokenizer clip = TokenizerFolder.clip(golden.dir.resolve("clip"));
        T5Tokenizer t5 = TokenizerFolder.t5(golden.dir.resolve("t5"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int thread = 0; thread < 4; thread++) {
                int offset = thread;
                done.add(pool.submit(() -> {
                    for (int round = 0; round < 20; round++) {
                        for (int k = 0; k < golden.prompts.size(); k++) {
                            int i = (k + offset * 15) % golden.prompts.size();
                            String p = golden.prompts.get(i);
                            assertArrayEquals(golden.clipIds[i], clip.encode(p, golden.clipMaxLength).ids());
                            assertArrayEquals(golden.t5Ids[i], t5.encode(p, golden.t5MaxLength).ids());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
