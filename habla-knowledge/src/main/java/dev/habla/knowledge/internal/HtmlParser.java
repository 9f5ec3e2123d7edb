package dev.habla.knowledge.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.select.Elements;

/**
 * HTML to blocks with jsoup: {@code h1}–{@code h6} set the heading path (the page {@code <title>} is the root when
 * the page has no {@code h1}); paragraphs, list items, table cells, definitions and preformatted text are blocks.
 * Navigation, scripts, styles and tables of contents are dropped (generated manuals repeat them on every page).
 */
public final class HtmlParser {
    private static final String BLOCKS = "h1,h2,h3,h4,h5,h6,p,pre,li,dt,dd,td,th,blockquote,caption,figcaption";
    private static final Set<String> HEADINGS = Set.of("h1", "h2", "h3", "h4", "h5", "h6");

    private HtmlParser() {
    }

    public static List<Block> parse(String html) {
        Document doc = Jsoup.parse(html);
        doc.select("script,style,nav,header,footer,noscript,div.navheader,div.navfooter,div.toc,div.list-of-tables,"
                + "div.list-of-figures,div.list-of-examples").remove();
        HeadingStack headings = new HeadingStack();
        String title = Text.squash(doc.title());
        boolean hasH1 = !doc.select("h1").isEmpty();
        if (!hasH1 && !title.isEmpty()) headings.set(1, title);
        List<Block> out = new ArrayList<>();
        Elements blocks = doc.body() == null ? new Elements() : doc.body().select(BLOCKS);
        for (Element e : blocks) {
            String tag = e.normalName();
            if (HEADINGS.contains(tag)) {
                int level = tag.charAt(1) - '0';
                // Without an h1 the title holds level 1: the page's own headings go below it.
                headings.set(hasH1 ? level : Math.max(level, 2), Text.squash(e.text()));
                continue;
            }
            // A block holding other blocks (an li with p's inside) contributes only its own text; the inner blocks
            // come on their own, so nothing is counted twice.
            boolean nested = hasBlockDescendant(e);
            String text = Text.squash(nested ? e.ownText() : tag.equals("pre") ? e.wholeText() : e.text());
            if (!text.isEmpty()) out.add(new Block(headings.path(), 0, text));
        }
        return out;
    }

    private static boolean hasBlockDescendant(Element e) {
        for (Element d : e.select(BLOCKS)) {
            if (d != e) return true;
        }
        return false;
    }
}
