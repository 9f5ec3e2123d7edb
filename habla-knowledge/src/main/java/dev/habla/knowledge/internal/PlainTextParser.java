package dev.habla.knowledge.internal;

import java.util.ArrayList;
import java.util.List;

/** Plain text to blocks: paragraphs are separated by blank lines; no headings. */
public final class PlainTextParser {
    private PlainTextParser() {
    }

    public static List<Block> parse(String text, int page) {
        List<Block> out = new ArrayList<>();
        for (String para : text.replace("\r\n", "\n").split("\n\\s*\n")) {
            String t = Text.squash(para);
            if (!t.isEmpty()) out.add(new Block(List.of(), page, t));
        }
        return out;
    }
}
