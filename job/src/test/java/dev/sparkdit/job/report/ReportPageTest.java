package dev.sparkdit.job.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The page's text: escaping, run labels, and what it says without data. */
class ReportPageTest {

    @Test
    void escapesMarkupAndControlCharacters() {
        assertEquals("&lt;script&gt;a(&quot;x&quot;, &#39;y&#39;) &amp;amp;&lt;/script&gt;",
                Html.escape("<script>a(\"x\", 'y') &amp;</script>"));
        assertEquals("a\uFFFDb\tc\nd", Html.escape("a\u0000b\tc\nd"));
        assertEquals("日本 \uD83D\uDE00", Html.escape("日本 \uD83D\uDE00"));
        String cut = Html.escape("x".repeat(Html.MAX_TEXT + 5));
        assertTrue(cut.endsWith("x\u2026 (5 more characters)"), cut);
        assertEquals("", Html.escape(null));
    }

    @Test
    void aPageWithoutFiguresSaysWhyAndLinksNoImage() {
        RunFigures empty = ReportFiguresTest.figures(List.of());
        String html = ReportPage.html("t", List.of(empty), Set.of(), null, 100, "now");
        assertTrue(html.contains("No rows: the result table is empty"), html);
        assertTrue(html.contains("No run has an ok image."), html);
        assertFalse(html.contains("<img"), html);
        assertTrue(html.contains("<p>None.</p>"), html);
    }
}
