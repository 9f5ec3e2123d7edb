package dev.habla.tools.internal;

import java.util.List;

/**
 * The model's arguments do not fit the declaration. The message lists every problem (joined with "; ") so the model
 * can fix them in one retry; each names the argument by its JSON path ({@code location.lat}, {@code cities[1]}).
 */
public final class ArgumentException extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public ArgumentException(List<String> problems) {
        super("invalid arguments: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem on its own. */
    public List<String> problems() {
        return problems;
    }
}
