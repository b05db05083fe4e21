package dev.sparkdit.datasets;

import java.util.List;

/**
 * The prompt and id of row {@code index} of a synthetic prompt table: a {@link SamplePrompts} prompt
 * with up to three variations (style, light, framing) appended. A row depends only on
 * {@code (seed, index)}, never on partitioning, so a table is the same on every run and cluster, and a
 * table of N rows is the first N rows of a larger one with the same seed.
 *
 * <p>The choices come from SplitMix64 (Steele, Lea and Flood 2014) seeded with
 * {@code mix(seed) ^ index}; it is spelled out here rather than taken from {@code java.util.Random}
 * so the tables do not depend on a JDK's implementation.
 */
public final class SyntheticPromptText {

    private static final List<String> STYLES = List.of(
            "oil painting", "watercolor", "35mm film photograph", "studio photograph", "pencil sketch",
            "digital painting", "anime key visual", "isometric 3D render", "linocut print", "gouache illustration",
            "cinematic still", "polaroid photo", "ink wash painting", "low-poly render", "pastel drawing",
            "editorial photograph");
    private static final List<String> LIGHTS = List.of(
            "golden hour", "blue hour", "overcast soft light", "harsh midday sun", "candlelight", "neon glow",
            "moonlight", "backlit with rim light", "foggy diffuse light", "dramatic chiaroscuro", "studio softbox",
            "light through a window", "bioluminescent glow", "stormy light", "warm tungsten light");
    private static final List<String> FRAMINGS = List.of(
            "wide angle", "close-up", "aerial view", "low angle", "symmetrical composition", "rule of thirds",
            "shallow depth of field", "long exposure", "macro", "panoramic", "over-the-shoulder view",
            "centered subject with negative space", "tilt-shift", "top-down flat lay");

    private SyntheticPromptText() {
    }

    /** The id of row {@code index} (0-based): {@code p0000001} for 0; more digits past 9,999,999 rows. */
    public static String id(long index) {
        if (index < 0) {
            throw new IllegalArgumentException("row index must be >= 0, got " + index);
        }
        String digits = Long.toString(index + 1);
        return digits.length() >= 7 ? "p" + digits : "p" + "0".repeat(7 - digits.length()) + digits;
    }

    /** The prompt of row {@code index} of the table made with {@code seed}. */
    public static String prompt(long seed, long index) {
        if (index < 0) {
            throw new IllegalArgumentException("row index must be >= 0, got " + index);
        }
        long state = mix(seed) ^ index;
        List<String> samples = SamplePrompts.prompts();
        state += GOLDEN;
        StringBuilder sb = new StringBuilder(samples.get(pick(mix(state), samples.size())));
        for (List<String> variations : List.of(STYLES, LIGHTS, FRAMINGS)) {
            state += GOLDEN;
            long r = mix(state);
            // One time in four a variation is left out, so prompts differ in length and shape too.
            if ((r & 3) != 0) {
                sb.append(", ").append(variations.get(pick(r >>> 2, variations.size())));
            }
        }
        return sb.toString();
    }

    private static final long GOLDEN = 0x9e3779b97f4a7c15L;

    /** SplitMix64's output function. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static int pick(long random, int size) {
        return (int) Long.remainderUnsigned(random, size);
    }
}
