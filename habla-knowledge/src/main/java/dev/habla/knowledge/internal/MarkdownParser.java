package dev.habla.knowledge.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Markdown to blocks: ATX ({@code # ...}) and setext ({@code ===}/{@code ---}) headings set the heading path; blank
 * lines end paragraphs; a fenced code block is one paragraph. Inline markup is left as is (it costs BM25 nothing).
 */
public final class MarkdownParser {
    private MarkdownParser() {
    }

    public static List<Block> parse(String markdown) {
        List<Block> out = new ArrayList<>();
        HeadingStack headings = new HeadingStack();
        StringBuilder para = new StringBuilder();
        String[] lines = markdown.replace("\r\n", "\n").split("\n", -1);
        boolean fenced = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String t = line.strip();
            if (t.startsWith("```") || t.startsWith("~~~")) {
                fenced = !fenced;
                if (!fenced) flush(out, headings, para);
                continue;
            }
            if (fenced) {
                para.append(line).append('\n');
                continue;
            }
            if (t.startsWith("#")) {
                int level = 0;
                while (level < t.length() && t.charAt(level) == '#') level++;
                if (level <= 6 && (level == t.length() || t.charAt(level) == ' ')) {
                    flush(out, headings, para);
                    headings.set(level, Text.squash(t.substring(level).replaceAll("#+\\s*$", "")));
                    continue;
                }
            }
            boolean setext = i + 1 < lines.length && !t.isEmpty() && para.isEmpty()
                    && (lines[i + 1].strip().matches("=+") || lines[i + 1].strip().matches("-{2,}"));
            if (setext) {
                flush(out, headings, para);
                headings.set(lines[i + 1].strip().startsWith("=") ? 1 : 2, Text.squash(t));
                i++;
                continue;
            }
            if (t.isEmpty()) {
                flush(out, headings, para);
            } else {
                para.append(t).append('\n');
            }
        }
        flush(out, headings, para);
        return out;
    }

    private static void flush(List<Block> out, HeadingStack headings, StringBuilder para) {
        String text = Text.squash(para.toString());
        para.setLength(0);
        if (!text.isEmpty()) out.add(new Block(headings.path(), 0, text));
    }
}
