package dev.habla.knowledge.internal;

import java.util.ArrayList;
import java.util.List;

/** The current heading path while a parser walks a document: a heading of level n replaces levels n and deeper. */
final class HeadingStack {
    private final String[] byLevel = new String[7];

    void set(int level, String heading) {
        byLevel[level] = heading;
        for (int l = level + 1; l < byLevel.length; l++) byLevel[l] = null;
    }

    List<String> path() {
        List<String> p = new ArrayList<>();
        for (String h : byLevel) if (h != null && !h.isBlank()) p.add(h);
        return p;
    }
}
