package dev.habla.knowledge.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts blocks into passages on structure: a new passage starts at every change of heading path or page; within a
 * section paragraphs are packed up to {@code maxChars}; a passage that had to be cut inside a section starts with the
 * last {@code overlap} characters of the previous one (cut at a space), so a sentence across the cut is findable from
 * either side. A paragraph longer than {@code maxChars} is cut at sentence ends, or spaces, with the same overlap.
 */
public final class Chunker {
    private final int maxChars;
    private final int overlap;

    public Chunker(int maxChars, int overlap) {
        if (maxChars < 100 || overlap < 0 || overlap >= maxChars / 2) {
            throw new IllegalArgumentException("need maxChars >= 100 and 0 <= overlap < maxChars/2");
        }
        this.maxChars = maxChars;
        this.overlap = overlap;
    }

    /** A passage body and where it sits, before ids are given. */
    public record Piece(List<String> headingPath, int page, String text) {
    }

    public List<Piece> cut(List<Block> blocks) {
        List<Piece> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        Block section = null;
        for (Block b : blocks) {
            if (section != null && (!section.headingPath().equals(b.headingPath()) || section.page() != b.page())) {
                emit(out, section, cur);
                cur.setLength(0);
            }
            section = b;
            for (String part : split(b.text())) {
                if (!cur.isEmpty() && cur.length() + 1 + part.length() > maxChars) {
                    String tail = tail(cur);
                    emit(out, section, cur);
                    cur.setLength(0);
                    cur.append(tail);
                }
                if (!cur.isEmpty()) cur.append('\n');
                cur.append(part);
            }
        }
        if (section != null) emit(out, section, cur);
        return out;
    }

    private void emit(List<Piece> out, Block section, StringBuilder cur) {
        String text = cur.toString().strip();
        if (!text.isEmpty()) out.add(new Piece(section.headingPath(), section.page(), text));
    }

    /** The last {@code overlap} characters of {@code s}, starting after a space. */
    private String tail(CharSequence s) {
        if (overlap == 0 || s.length() <= overlap) return "";
        int from = s.length() - overlap;
        String t = s.subSequence(from, s.length()).toString();
        int sp = t.indexOf(' ');
        return sp < 0 ? t : t.substring(sp + 1);
    }

    /** A paragraph in parts of at most {@code maxChars - overlap}, cut at a sentence end or else a space. */
    private List<String> split(String para) {
        int limit = maxChars - overlap;
        List<String> parts = new ArrayList<>();
        String rest = para;
        while (rest.length() > limit) {
            int cut = lastSentenceEnd(rest, limit);
            if (cut < limit / 2) cut = rest.lastIndexOf(' ', limit);
            if (cut < limit / 2) cut = limit;
            parts.add(rest.substring(0, cut).strip());
            rest = rest.substring(cut).strip();
        }
        if (!rest.isEmpty()) parts.add(rest);
        return parts;
    }

    private static int lastSentenceEnd(String s, int limit) {
        for (int i = Math.min(limit, s.length() - 1); i > 0; i--) {
            char c = s.charAt(i - 1);
            if ((c == '.' || c == '?' || c == '!' || c == ';') && s.charAt(i) == ' ') return i;
        }
        return -1;
    }
}
