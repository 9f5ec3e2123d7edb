package dev.habla.knowledge.live.internal;

import dev.habla.client.LiveEvent;
import dev.habla.client.SessionListener;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Searches the user's speech as its input transcription arrives: each chunk extends the turn's text; a search runs on
 * a {@code habla-knowledge} virtual thread, at most one at a time per session, and when it ends the newest text not
 * yet searched is searched (so the last search is of the whole utterance). A model turn's end starts the next
 * utterance.
 *
 * <p>Threads: {@link #onEvent} runs on the session's event thread and never blocks on a search; {@link #lock} guards
 * the text, the pending query and the running flag shared with the search thread.
 */
public final class TranscriptSearch implements SessionListener {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TranscriptSearch.class);

    private final SessionListener downstream;
    private final Consumer<String> search;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock: the current utterance's transcription. */
    private final StringBuilder text = new StringBuilder();
    /** Guarded by lock: the newest text not searched yet (kept when the turn ends before its search starts). */
    private String pending;
    /** Guarded by lock: a search thread is running; it takes {@link #pending} until there is none. */
    private boolean running;
    private boolean closed;

    public TranscriptSearch(SessionListener downstream, Consumer<String> search) {
        this.downstream = downstream;
        this.search = search;
    }

    @Override
    public void onEvent(LiveEvent event) {
        switch (event) {
            case LiveEvent.InputTranscription t when t.text() != null && !t.text().isBlank() -> heard(t.text());
            case LiveEvent.TurnComplete t -> reset(false);
            case LiveEvent.Closed c -> reset(true);
            default -> { }
        }
        downstream.onEvent(event);
    }

    private void heard(String chunk) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            text.append(chunk);
            pending = text.toString().strip();
            if (running) {
                return;   // the running search takes it next
            }
            running = true;
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name("habla-knowledge").start(this::searchLoop);
    }

    private void searchLoop() {
        while (true) {
            String q;
            lock.lock();
            try {
                q = pending;
                pending = null;
                if (q == null || closed) {
                    running = false;
                    return;
                }
            } finally {
                lock.unlock();
            }
            try {
                if (!q.isEmpty()) {
                    search.accept(q);
                }
            } catch (RuntimeException e) {
                LOG.warn("knowledge search of the transcript failed: {}", e.toString());
            }
        }
    }

    private void reset(boolean close) {
        lock.lock();
        try {
            text.setLength(0);   // the next utterance starts; a search not yet run still runs on what was heard
            closed |= close;
        } finally {
            lock.unlock();
        }
    }
}
