package dev.habla.cli;

import java.util.Map;
import org.jline.reader.impl.LineReaderImpl;
import org.jline.reader.impl.history.DefaultHistory;
import org.jline.terminal.Terminal;

/**
 * JLine's line reader, except that it does not redraw the line while more typed input is already waiting.
 *
 * <p>Why: JLine redraws the whole edited line after every key. A pasted line arrives as thousands of keys at once
 * (without bracketed paste, or from terminals that do not offer it), and redrawing a long wrapped line after each of
 * them is quadratic: a 5,000-character paste took about 20 s of CPU. Here the keys already waiting are taken first
 * and the line is drawn once they are all in; typing by hand looks the same as before (nothing is waiting between
 * two keystrokes). Redraws that JLine makes without flushing (the final one when a line is accepted) always happen.
 *
 * <p>Threads: JLine calls {@link #redisplay(boolean)} on the thread in {@code readLine} (holding its lock), and from
 * {@code printAbove} on the caller's thread; the peek only looks at input, it consumes nothing.
 */
final class TypeaheadLineReader extends LineReaderImpl {

    /** How long a peek waits for a next key: long enough for a key already in flight, too short to notice. */
    private static final long PEEK_MILLIS = 1;

    TypeaheadLineReader(Terminal terminal, String appName, Map<String, Object> variables) {
        super(terminal, appName, variables);
        setHistory(new DefaultHistory());
    }

    @Override
    protected void redisplay(boolean flush) {
        if (flush && reading && !dumbTerminal() && moreInputWaiting()) {
            return;   // the key after this one triggers the redraw; the last one of the paste draws the line
        }
        super.redisplay(flush);
    }

    /** A dumb terminal (pipes, tests) draws the prompt once and never redraws per key: nothing to save there. */
    private boolean dumbTerminal() {
        String type = getTerminal().getType();
        return Terminal.TYPE_DUMB.equals(type) || Terminal.TYPE_DUMB_COLOR.equals(type);
    }

    private boolean moreInputWaiting() {
        int c = bindingReader.peekCharacter(PEEK_MILLIS);
        return c >= 0;
    }
}
