package dev.habla.knowledge.internal;

/** Small text helpers shared by the parsers. */
final class Text {
    private Text() {
    }

    /** Collapses runs of whitespace (including non-breaking spaces) to one space and trims. */
    static String squash(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean space = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || c == '\u00a0') {
                space = b.length() > 0;
            } else {
                if (space) b.append(' ');
                space = false;
                b.append(c);
            }
        }
        return b.toString();
    }
}
