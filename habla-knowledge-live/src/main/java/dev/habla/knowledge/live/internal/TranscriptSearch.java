package dev.habla.knowledge.live.internal;

import dev.habla.client.LiveEvent;
import dev.habla.client.SessionListener;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Searches the user's speech as its input transcription arrives: each chunk extends the turn's text; a search runs on
 * a {@code habla-knowledge} virtual thread, at most one at a time per session, and when it ends a newer text is
 * searched again (so the last search is of the whole utterance). A model turn's end starts the next utterance.
 *
 * <p>Threads: {@link #onEvent} runs on the session's event thread and never blocks on a search; {@link #lock} guards
 * the text and the running/dirty flags shared with the search thread.
 */
public final class TranscriptSearch implements SessionListener {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TranscriptSearch.class);

    private final SessionListener downstream;
    private final Consumer<String> search;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by lock: the current utterance's transcription. */
    private final StringBuilder text = new StringBuilder();
    /** Guarded by lock: a search thread is running; it re-reads {@link #text} when {@link #dirty}. */
    private boolean running;
    private boolean dirty;
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
            if (running) {
                dirty = true;
                return;
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
                if (closed || text.isEmpty()) {
                    running = false;
                    return;
                }
                q = text.toString().strip();
                dirty = false;
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
            lock.lock();
            try {
                if (!dirty) {
                    running = false;
                    return;
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private void reset(boolean close) {
        lock.lock();
        try {
            text.setLength(0);
            dirty = false;
            closed |= close;
        } finally {
            lock.unlock();
        }
    }
}
