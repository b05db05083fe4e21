package dev.sparkdit.datasets;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The project's sample prompts, written for SparkDiT: varied subjects, styles, lighting and
 * compositions, some non-English, a few very long (to exercise CLIP's 77-token cut). They live in the
 * resource {@value #RESOURCE}, one prompt per line; blank lines and lines starting with {@code "# "}
 * are skipped. The committed table {@code datasets/samples/sample-prompts.parquet} holds the same
 * prompts as {@link #rows()}.
 */
public final class SamplePrompts {

    public static final String RESOURCE = "/dev/sparkdit/datasets/sample-prompts.txt";

    private SamplePrompts() {
    }

    /** The prompts in file order. */
    public static List<String> prompts() {
        return Holder.PROMPTS;
    }

    /** The id of the {@code index}-th prompt (0-based): {@code sample-0001} for index 0. */
    public static String id(int index) {
        return String.format("sample-%04d", index + 1);
    }

    /** The prompts as table rows with ids {@code sample-0001}, ... and every optional value null. */
    public static List<PromptRow> rows() {
        List<String> prompts = prompts();
        List<PromptRow> rows = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            rows.add(PromptRow.of(id(i), prompts.get(i)));
        }
        return List.copyOf(rows);
    }

    private static final class Holder {
        static final List<String> PROMPTS = load();
    }

    private static List<String> load() {
        try (InputStream in = SamplePrompts.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the class path");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String> prompts = new ArrayList<>();
            String line;
            while ((line = reader.readLine()) != null) {
                String prompt = line.strip();
                if (!prompt.isEmpty() && !prompt.startsWith("# ")) {
                    prompts.add(prompt);
                }
            }
            return List.copyOf(prompts);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }
}
