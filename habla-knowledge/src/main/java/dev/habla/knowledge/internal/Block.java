package dev.habla.knowledge.internal;

import java.util.List;

/**
 * One paragraph of a parsed document with where it sits: what every parser produces and the {@link Chunker} cuts.
 *
 * @param headingPath headings above it, outermost first
 * @param page        1-based page (PDF) or 0
 * @param text        whitespace-normalised paragraph text, never blank
 */
public record Block(List<String> headingPath, int page, String text) {
    public Block {
        headingPath = List.copyOf(headingPath);
    }
}
